from __future__ import annotations

from pbbot.channels.sms.render import render_sms
from pbbot.domain.messages import Choice, Outbound
from pbbot.i18n.sms import sms_segments


def test_choices_are_numbered_after_the_text() -> None:
    outbound = Outbound(
        text="Waarover wil je meer weten\u2009?",
        locale="nl",
        choices=(Choice("info", "Wat is de burgerbegroting?"), Choice("menu", "Menu")),
    )
    assert (
        render_sms(outbound) == "Waarover wil je meer weten ?\n1 Wat is de burgerbegroting?\n2 Menu"
    )


def test_text_without_choices_is_only_normalized() -> None:
    outbound = Outbound(text="Budget\u00a0: 1\u202f000\u00a0€ \u2013 merci\u2026", locale="fr")
    body = render_sms(outbound)
    assert body == "Budget : 1 000 € - merci..."
    assert sms_segments(body).encoding == "GSM-7"


def test_right_to_left_choices_start_with_a_right_to_left_mark() -> None:
    outbound = Outbound(
        text="اختر لغة",
        locale="ar",
        choices=(Choice("lang:nl", "Nederlands"), Choice("lang:ar", "العربية")),
    )
    assert render_sms(outbound) == "اختر لغة\n\u200f1 Nederlands\n\u200f2 العربية"


def test_request_widgets_have_no_sms_form() -> None:
    outbound = Outbound(text="Share your phone number?", locale="en", request="contact")
    assert render_sms(outbound) == "Share your phone number?"
