from django.urls import path

import governance.converters  # noqa: F401  (registers <urn:>)
from notices import views

app_name = "notices"

urlpatterns = [
    path("", views.school_list, name="school_list"),
    path("<urn:urn>/privacy/", views.notice_index, name="index"),
    path("<urn:urn>/privacy/<str:audience>/", views.notice_detail, name="detail"),
    path("<urn:urn>/privacy/<str:audience>.pdf", views.notice_pdf, name="pdf"),
    path("<urn:urn>/privacy/<str:audience>/v<int:number>/", views.notice_detail, name="version"),
    path(
        "<urn:urn>/privacy/<str:audience>/v<int:number>.pdf", views.notice_pdf, name="version_pdf"
    ),
]
