from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("", views.school_list, name="school_list"),
    path("<str:urn>/privacy/", views.notice_index, name="index"),
    path("<str:urn>/privacy/<str:audience>/", views.notice_detail, name="detail"),
    path("<str:urn>/privacy/<str:audience>.pdf", views.notice_pdf, name="pdf"),
    path("<str:urn>/privacy/<str:audience>/v<int:number>/", views.notice_detail, name="version"),
    path(
        "<str:urn>/privacy/<str:audience>/v<int:number>.pdf", views.notice_pdf, name="version_pdf"
    ),
]
