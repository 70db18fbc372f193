from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

import governance.converters  # noqa: F401  (registers <urn:>)
from governance.portal import records, register, views

register_converter(register.KindConverter, "register_kind")

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
    path("schools/<urn:urn>/flow-map.svg", records.flow_map, name="flow_map"),
    path(
        "schools/<urn:urn>/article-30.<str:fmt>",
        records.article30_download,
        name="article30",
    ),
    path(
        "schools/<urn:urn>/subject-access/",
        records.subject_access_page,
        name="subject_access",
    ),
    path("schools/<urn:urn>/signatures/<int:pk>.pdf", views.signed_pdf, name="signed_pdf"),
    # The school's own register, kept by its DPO.
    path("schools/<urn:urn>/register/", register.register_page, name="register"),
    path("schools/<urn:urn>/register/contacts/", register.contacts, name="register_contacts"),
    path(
        "schools/<urn:urn>/register/<register_kind:kind>/add/",
        register.record_form,
        name="register_add",
    ),
    path(
        "schools/<urn:urn>/register/<register_kind:kind>/<int:pk>/",
        register.record_form,
        name="register_edit",
    ),
    path(
        "schools/<urn:urn>/register/<register_kind:kind>/<int:pk>/delete/",
        register.record_delete,
        name="register_delete",
    ),
    path("schools/<urn:urn>/publish/", register.publish, name="publish"),
]
