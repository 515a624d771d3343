from django.urls import path

from .views import consent, lists, queue, referral

urlpatterns = [
    path("referrals/", queue.referral_queue, name="referral_queue"),
    path("referrals/new/", referral.referral_form, name="referral_create"),
    path("referrals/mine/", referral.my_referrals, name="my_referrals"),
    path("referrals/lists/<slug:kind>/", lists.referral_lists, name="referral_lists"),
    path("referrals/letter-wording/", consent.letter_wording_edit, name="letter_wording_edit"),
    path("referrals/<int:pk>/", referral.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/edit/", referral.referral_form, name="referral_edit"),
    path("referrals/<int:pk>/discussion/", referral.referral_discuss, name="referral_discuss"),
    path("referrals/<int:pk>/priority/", referral.referral_prioritise, name="referral_prioritise"),
    path("referrals/<int:pk>/decision/", referral.referral_decide, name="referral_decide"),
    path("referrals/<int:pk>/withdraw/", referral.referral_withdraw, name="referral_withdraw"),
    path(
        "cases/<int:pk>/consent-letter/",
        consent.consent_letter_create,
        name="consent_letter_create",
    ),
    path("cases/<int:pk>/consent/", consent.consent_record_create, name="consent_record_create"),
    path("consent-letters/<int:pk>.pdf", consent.consent_letter_pdf, name="consent_letter_pdf"),
]
