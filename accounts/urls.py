from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import phone_views, views
from accounts.forms import LoginForm
from contest_portal.ratelimit import ratelimit

app_name = "accounts"

urlpatterns = [
    path("dang-ky/", views.register, name="register"),
    path(
        "dang-ky/hinh-kiem-tra/<str:token>/",
        views.registration_picture,
        name="registration-picture",
    ),
    path(
        "dang-nhap/",
        views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("ca-nhan/", views.profile, name="profile"),
    path("doi-mat-khau/", views.password_change, name="password-change"),
    path("quen-mat-khau/", views.password_forgotten, name="password-forgotten"),
    path("xac-thuc-so-dien-thoai/", phone_views.phone_verify, name="phone-verify"),
    path(
        "quen-mat-khau/sms/",
        phone_views.password_reset_sms,
        name="password-reset-sms",
    ),
    path(
        "quen-mat-khau/sms/nhap-ma/",
        phone_views.password_reset_sms_confirm,
        name="password-reset-sms-confirm",
    ),
    path(
        "quen-mat-khau/email/",
        # Each request may send an email: limited per client address.
        ratelimit("password-reset")(
            auth_views.PasswordResetView.as_view(
                template_name="accounts/password_reset_form.html",
                email_template_name="accounts/password_reset_email.txt",
                subject_template_name="accounts/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password-reset-done"),
            )
        ),
        name="password-reset",
    ),
    path(
        "quen-mat-khau/da-gui/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_reset_done.html"
        ),
        name="password-reset-done",
    ),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
]
