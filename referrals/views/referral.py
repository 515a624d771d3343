from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mentoring import permissions
from mentoring.forms_util import apply_service
from mentoring.models import Case

from .. import services
from ..forms import DecisionForm, DiscussionForm, PrioritiseForm, ReferralForm, WithdrawForm
from ..models import Referral


def referral_form(request, pk=None):
    """The initial referral ("mentor form"): new, or a draft being finished."""
    if not permissions.can_refer(request.user):
        raise PermissionDenied
    referral = Referral() if pk is None else permissions.get_referral_or_404(request.user, pk)
    if pk is not None and not permissions.can_edit_referral(request.user, referral):
        raise PermissionDenied
    pupils = permissions.referrable_pupils(request.user)
    initial = {"pupil": request.GET.get("pupil")} if pk is None else None
    submit = "submit" in request.POST
    form = ReferralForm(
        request.POST or None, instance=referral, pupils=pupils, initial=initial, submitting=submit
    )
    if request.method == "POST" and form.is_valid():
        saved = apply_service(
            form,
            lambda: services.referral_save(
                referral=form.instance,
                user=request.user,
                criteria=form.cleaned_data["criteria"],
                barriers=form.cleaned_data["barriers"],
                submit=submit,
            ),
        )
        if saved:
            done = "Referral submitted to the mentoring coordinator." if submit else "Draft saved."
            messages.success(request, done)
            return redirect("referral_detail", saved.pk)
    pupil = referral.pupil if pk else _chosen_pupil(form, pupils)
    duplicate = pupil and services.open_referral_or_case(pupil, exclude=referral if pk else None)
    context = {
        "form": form,
        "referral": referral,
        "duplicate": duplicate,
        "duplicate_kind": "case" if isinstance(duplicate, Case) else "referral",
        "duplicate_url": _url_if_visible(request.user, duplicate),
    }
    return render(request, "referrals/referral_form.html", context)


def _chosen_pupil(form, pupils):
    value = str(form["pupil"].value() or "")
    # isdecimal, not isdigit: an id such as "²" must be no pupil, not a server error.
    return pupils.filter(pk=value).first() if value.isdecimal() else None


def _url_if_visible(user, obj):
    """A link to an existing referral or case, only if the user may open it."""
    if isinstance(obj, Case) and permissions.visible_cases(user).filter(pk=obj.pk).exists():
        return reverse("case_detail", args=[obj.pk])
    if isinstance(obj, Referral) and permissions.visible_referrals(user).filter(pk=obj.pk).exists():
        return reverse("referral_detail", args=[obj.pk])
    return None


def my_referrals(request):
    if not permissions.can_refer(request.user):
        raise PermissionDenied
    # From the scope, so that referrals made at a school the user has since left stay there.
    referrals = (
        permissions.visible_referrals(request.user)
        .filter(referred_by=request.user)
        .select_related("pupil", "pupil__school_class", "decided_by")
        .order_by("-created_at")
    )
    return render(request, "referrals/my_referrals.html", {"referrals": referrals})


def referral_detail(request, pk):
    referral = permissions.get_referral_or_404(request.user, pk)
    return _detail_page(request, referral)


def _detail_page(request, referral, refused=None):
    """The referral page; ``refused`` maps a triage form's name to the bound form a service
    or validation refused, shown again with its errors beside the fields and what was typed."""
    triage = permissions.can_triage(request.user, referral)
    context = {
        "referral": referral,
        "criteria": referral.criteria.all(),
        "barriers": referral.barriers.all(),
        "triage": triage,
        "can_edit": permissions.can_edit_referral(request.user, referral),
        "can_withdraw": permissions.can_withdraw_referral(request.user, referral)
        and referral.status in services.OPEN_STATUSES,
    }
    if triage:
        moves = services.TRANSITIONS[referral.status]
        context.update(
            can_discuss=referral.status in services.QUEUE_STATUSES,
            can_prioritise=Referral.Status.PRIORITISED in moves,
            can_decide=bool(moves & services.DECISIONS),
            discussions=referral.discussions.select_related("author"),
            panel=referral.panel.all(),
            discussion_form=DiscussionForm(),
            prioritise_form=PrioritiseForm(
                school=referral.school,
                initial={"priority": referral.priority, "panel": referral.panel.all()},
                record=referral,
            ),
            decision_form=DecisionForm(),
            withdraw_form=WithdrawForm(),
        )
        context.update(refused or {})
    return render(request, "referrals/referral_detail.html", context)


def _triage_action(request, pk, form_name, form_class, action, form_kwargs=None):
    """The shared shape of a panel action: check, validate, call the service; on success go
    back to the page, on refusal show the page again with the form as the user filled it."""
    referral = permissions.get_referral_or_404(request.user, pk)
    if not permissions.can_triage(request.user, referral):
        raise PermissionDenied
    form = form_class(request.POST, **(form_kwargs(referral) if form_kwargs else {}))
    if form.is_valid() and apply_service(form, lambda: action(referral, form.cleaned_data)):
        return redirect("referral_detail", referral.pk)
    if getattr(form, "conflict", None) is not None:  # saved by someone else meanwhile
        referral.refresh_from_db()
    return _detail_page(request, referral, refused={form_name: form})


@require_POST
def referral_discuss(request, pk):
    return _triage_action(
        request,
        pk,
        "discussion_form",
        DiscussionForm,
        lambda referral, data: services.discussion_add(
            referral=referral, user=request.user, **data
        ),
    )


@require_POST
def referral_prioritise(request, pk):
    return _triage_action(
        request,
        pk,
        "prioritise_form",
        PrioritiseForm,
        lambda referral, data: services.referral_prioritise(
            referral=referral, user=request.user, **data
        ),
        form_kwargs=lambda referral: {"school": referral.school, "record": referral},
    )


@require_POST
def referral_decide(request, pk):
    def decide(referral, data):
        decided = services.referral_decide(referral=referral, user=request.user, **data)
        messages.success(request, f"Referral {decided.get_status_display().lower()}.")
        return decided

    return _triage_action(request, pk, "decision_form", DecisionForm, decide)


@require_POST
def referral_withdraw(request, pk):
    referral = permissions.get_referral_or_404(request.user, pk)
    if not permissions.can_withdraw_referral(request.user, referral):
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    if form.is_valid() and apply_service(
        form,
        lambda: services.referral_withdraw(
            referral=referral, user=request.user, reason=form.cleaned_data["reason"]
        ),
    ):
        messages.success(request, "Referral withdrawn.")
    else:
        for error in form.errors.values():
            messages.error(request, error[0])
    return redirect("referral_detail", referral.pk)
