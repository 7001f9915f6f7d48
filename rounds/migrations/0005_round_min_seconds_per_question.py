from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rounds", "0004_attempt_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="round",
            name="min_seconds_per_question",
            field=models.PositiveSmallIntegerField(
                default=2,
                help_text=(
                    "Bài làm nhanh hơn mức này được đánh dấu để Ban Giám khảo xem xét, "
                    "không tự động bị loại. 0 là không kiểm tra."
                ),
                verbose_name="thời gian tối thiểu mỗi câu (giây)",
            ),
        ),
    ]
