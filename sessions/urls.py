from django.urls import path

from .views import adherence, feeds, records, slots, week

urlpatterns = [
    path("my-week/", week.my_week_page, name="my_week"),
    path("cases/<int:case_pk>/sessions/<str:day>/log/", week.session_log, name="session_log"),
    path("session-records/<int:pk>/", records.session_record, name="session_record"),
    path(
        "session-records/<int:pk>/safeguarding/",
        records.safeguarding_acknowledge,
        name="safeguarding_acknowledge",
    ),
    path("safeguarding/", records.safeguarding_alerts, name="safeguarding_alerts"),
    path("cases/<int:pk>/allocate/", slots.allocate, name="allocate"),
    path("slots/<int:pk>/change/", slots.slot_change, name="slot_change"),
    path("slots/<int:pk>/sessions/<str:day>/move/", slots.session_move, name="session_move"),
    path("adherence/", adherence.adherence_page, name="adherence"),
    path("calendar-feeds/", feeds.calendar_feeds, name="calendar_feeds"),
    path(
        "calendar-feeds/<int:pk>/revoke/", feeds.calendar_feed_revoke, name="calendar_feed_revoke"
    ),
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
]
