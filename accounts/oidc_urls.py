"""URLs of the sign-in with an identity provider, mounted at tai-khoan/oidc/ outside
any namespace: django-allauth reverses these names as they are. Only the OpenID
Connect flow is served; the names of allauth's own account pages lead to ours."""

from django.urls import path

from accounts import oidc_protocol, oidc_views

urlpatterns = [
    path(
        "<str:provider_id>/login/",
        oidc_protocol.oidc_login,
        name="openid_connect_login",
    ),
    path(
        "<str:provider_id>/login/callback/",
        oidc_protocol.oidc_callback,
        name="openid_connect_callback",
    ),
    path("lan-dau/", oidc_views.first_time, name="socialaccount_signup"),
    path("da-huy/", oidc_views.cancelled, name="socialaccount_login_cancelled"),
    path("bi-khoa/", oidc_views.inactive, name="account_inactive"),
    path("dang-nhap/", oidc_views.to_login, name="account_login"),
    path("dang-ky/", oidc_views.to_register, name="account_signup"),
]
