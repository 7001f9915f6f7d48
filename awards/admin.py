from django.contrib import admin

from awards.models import PrizeTier


@admin.register(PrizeTier)
class PrizeTierAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "contest",
        "kind",
        "group_label",
        "count",
        "amount_vnd",
        "order",
    )
    list_editable = ("count", "amount_vnd", "order")
    list_filter = ("contest", "kind")
    list_select_related = ("contest",)
