from django.contrib.auth import views as auth_views
from django.urls import path

import governance.converters  # noqa: F401  (registers <urn:>)
from governance.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="portal/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("welcome/<uidb64>/<token>/", views.Welcome.as_view(), name="welcome"),
    path("schools/<urn:urn>/", views.school_detail, name="school"),
    path(
        "schools/<urn:urn>/agreements/<int:agreement_id>/v<int:number>/",
        views.agreement_detail,
        name="agreement",
    ),
    path(
        "schools/<urn:urn>/agreements/<int:agreement_id>/v<int:number>.pdf",
        views.agreement_pdf,
        name="agreement_pdf",
    ),
    path("schools/<urn:urn>/signatures/<int:pk>/", views.signature_detail, name="signature"),
    path("schools/<urn:urn>/signatures/<int:pk>.pdf", views.signed_pdf, name="signed_pdf"),
]
