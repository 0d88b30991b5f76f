from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("read/", views.mark_read, name="mark_read"),
    path("setting/", views.setting, name="setting"),
    path("claims/<int:pk>/watch/", views.watch_button, name="watch_button"),
    path("claims/<int:pk>/watch/set/", views.watch, name="watch"),
]
