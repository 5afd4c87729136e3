"""What residents really type is understood, in the languages they write.

Each case was seen in a real run (issue 8): Turkish and Arabic spelling,
typos, labels of another language, the common ways to say yes, ages with a
unit, keycap digits, language names in any language, and the carrier's words
on SMS. The conversations run on the pure engine with the sample edition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from pbbot.channels.sms.render import render_sms
from pbbot.config.edition_file import load_edition
from pbbot.domain.messages import Inbound, Location, Outbound
from pbbot.engine.context import StepContext
from pbbot.engine.events import Event, Resubscribed, Unsubscribed
from pbbot.engine.flowset import load_engine_flows
from pbbot.engine.keywords import CarrierWords
from pbbot.engine.snapshot import Snapshot
from pbbot.engine.state import ConversationState
from pbbot.engine.step import step
from pbbot.i18n.catalogs import translator
from pbbot.i18n.sms import normalize_for_sms, sms_segments
from pbbot.voting.views import MyVote

EDITION = Path(__file__).resolve().parents[2] / "examples" / "mechelen-2027.yaml"
LANGUAGE_NUMBER = {"nl": "1", "fr": "2", "en": "3", "tr": "4", "ar": "5"}

# What the main menu offers a resident who agreed to the privacy notice.
MAIN_MENU_CHOICES = [
    f"main_menu.menu.{option}"
    for option in ("about", "timeline", "rules", "mydata", "ideas", "language")
]


@pytest.fixture(scope="module")
def context() -> StepContext:
    # A resident who has not voted: what "Delete everything" says of their vote.
    no_vote = Snapshot({"voting.mine": MyVote()})
    return StepContext(
        load_edition(EDITION), load_engine_flows(), date(2027, 2, 20), snapshot=no_vote
    )


def t(locale: str, msgid: str) -> str:
    return translator(locale).gettext(msgid)


@dataclass
class Resident:
    """One resident talking to the pure engine on one channel."""

    context: StepContext
    channel: str = "sms"
    language_hint: str | None = None
    state: ConversationState = field(default_factory=ConversationState)
    events: list[Event] = field(default_factory=list)

    def send(self, text: str = "", **fields: object) -> list[Outbound]:
        inbound = Inbound(  # type: ignore[arg-type]
            channel=self.channel,
            address="+32470000001",
            text=text,
            language_hint=self.language_hint,
            **fields,
        )
        result = step(self.state, inbound, self.context)
        self.state = result.state
        self.events = list(result.events)
        return result.messages

    def said(self, text: str = "", **fields: object) -> str:
        return "\n".join(render_sms(m) for m in self.send(text, **fields))

    def at(self) -> tuple[str | None, str | None]:
        return (self.state.flow, self.state.step)

    def onboard(self, locale: str, *, consent: bool = True) -> Resident:
        self.send("👋")
        self.send(LANGUAGE_NUMBER[locale])
        if consent:
            self.send("1")  # yes
            self.send("1")  # a district
            self.send("40")  # an age
        return self


# -- Turkish and Arabic spelling --------------------------------------------------------


@pytest.mark.parametrize("text", ["yardım", "Yardım", "YARDIM", "yardim", "Yardim"])
def test_turkish_help_in_every_case(context: StepContext, text: str) -> None:
    resident = Resident(context).onboard("tr")
    resident.send(text)
    assert resident.at() == ("help", "help")


@pytest.mark.parametrize(
    ("text", "consented"),
    [("HAYIR", False), ("hayir", False), ("ONAYLIYORUM", True), ("evet", True)],
)
def test_turkish_answers_at_the_consent_question(
    context: StepContext, text: str, consented: bool
) -> None:
    resident = Resident(context).onboard("tr", consent=False)
    resident.send(text)
    assert resident.state.consented is consented
    assert resident.state.consent_answered


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("مساعده", ("help", "help")),
        ("المساعدة", ("help", "help")),
        ("مُسَاعَدَة", ("help", "help")),
        ("القائمة", ("main_menu", "menu")),
        ("قائمه", ("main_menu", "menu")),
        ("اللغة", ("language", "choose")),
    ],
)
def test_arabic_spelling_variants_of_the_global_words(
    context: StepContext, text: str, where: tuple[str, str]
) -> None:
    resident = Resident(context).onboard("ar")
    resident.send(text)
    assert resident.at() == where


# -- typos and other languages ----------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Tijdlijn", "Tijdlijm", "tydlijn", "Timeline", "calendrier", "takvim"]
)
def test_a_typo_or_another_languages_label_finds_the_option(
    context: StepContext, text: str
) -> None:
    resident = Resident(context).onboard("nl")
    assert resident.at() == ("main_menu", "menu")
    resident.send(text)
    assert resident.at() == ("info", "timeline")


def test_a_misspelt_district_is_found(context: StepContext) -> None:
    resident = Resident(context).onboard("nl", consent=False)
    resident.send("ja")
    resident.send("Nekkerspoell")
    assert resident.state.answers.get("district") == "Nekkerspoel"


# -- the common ways to answer ------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("nl", "akkoord"),
        ("nl", "ja akkoord"),
        ("nl", "Ja, akkoord!"),
        ("nl", "ok"),
        ("nl", "👍"),
        ("nl", "👍🏽"),
        ("fr", "d'accord"),
        ("fr", "D’accord"),
        ("tr", "tamam"),
        ("ar", "أوافق"),
        ("ar", "اوافق"),
        ("en", "Yes, I agree"),
        ("nl", "yes"),  # another language's word
    ],
)
def test_consent_as_people_say_it(context: StepContext, locale: str, text: str) -> None:
    resident = Resident(context).onboard(locale, consent=False)
    resident.send(text)
    assert resident.state.consented


@pytest.mark.parametrize(
    ("locale", "text"),
    [("nl", "34 jaar"), ("fr", "34 ans"), ("tr", "34 yaşında"), ("ar", "34 سنة"), ("ar", "٣٤")],
)
def test_an_age_with_its_unit(context: StepContext, locale: str, text: str) -> None:
    resident = Resident(context).onboard(locale, consent=False)
    resident.send("1")
    resident.send("1")
    resident.send(text)
    assert resident.state.answers["age"] == 34


@pytest.mark.parametrize("text", ["2️⃣", "②", "\u200f2", "\u200f٢"])
def test_keycap_circled_and_marked_digits(context: StepContext, text: str) -> None:
    resident = Resident(context).onboard("ar")
    resident.send(text)
    assert resident.at() == ("info", "timeline")


# -- the language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("عربي", "ar"),
        ("العربية", "ar"),
        ("arabe", "ar"),
        ("Arabisch", "ar"),
        ("Turks", "tr"),
        ("turc", "tr"),
        ("Türkçe", "tr"),
        ("engels", "en"),
        ("Vlaams", "nl"),
        ("français", "fr"),
    ],
)
def test_the_language_menu_understands_language_names(
    context: StepContext, text: str, locale: str
) -> None:
    resident = Resident(context)
    resident.send("👋")
    assert resident.at() == ("onboarding", "language")
    resident.send(text)
    assert resident.state.locale == locale


def test_the_language_reprompt_is_in_every_language(context: StepContext) -> None:
    resident = Resident(context)
    resident.send("👋")
    shown = resident.said("9")
    for locale in LANGUAGE_NUMBER:
        assert t(locale, "Please reply with a number from 1 to {count}.").format(count=5) in shown


def test_a_phone_language_that_is_not_shipped_gets_every_language(context: StepContext) -> None:
    resident = Resident(context, channel="telegram", language_hint="de")
    (menu,) = resident.send("/start")
    for locale in LANGUAGE_NUMBER:
        assert t(locale, "Choose your language") in menu.text


@pytest.mark.parametrize(
    ("text", "locale"),
    [("مرحبا", "ar"), ("السلام عليكم", "ar"), ("merhaba", "tr"), ("Bonjour !", "fr"),
     ("hallo", "nl"), ("Good morning", "en"), ("Günaydın", "tr")],
)  # fmt: skip
def test_a_first_sms_that_shows_its_language_is_answered_in_it(
    context: StepContext, text: str, locale: str
) -> None:
    resident = Resident(context)
    first, *rest = resident.send(text)
    assert resident.state.locale == locale
    one_liner = t(locale, "I will write in English. Another language? Send {keyword}.")
    assert first.text.startswith(one_liner[:12])
    assert sms_segments(render_sms(first)).segments == 1
    welcome = t(locale, "Welcome to {edition_name}! {intro}").split("{")[0]
    assert rest[0].text.startswith(welcome), "the welcome follows"
    assert resident.at() == ("onboarding", "consent")


@pytest.mark.parametrize("text", ["👋", "?", "0470 12 34 56", "ok", "12"])
def test_otherwise_the_first_sms_is_a_language_menu_of_one_segment(
    context: StepContext, text: str
) -> None:
    resident = Resident(context)
    (menu,) = resident.send(text)
    assert resident.at() == ("onboarding", "language")
    assert sms_segments(render_sms(menu)).segments == 1
    assert [choice.label for choice in menu.choices] == [
        "Nederlands", "Français", "English", "Türkçe", "العربية",
    ]  # fmt: skip


# -- STOP, START and the carrier's words ------------------------------------------------------


@pytest.mark.parametrize("word", ["STOP", "stop", "Stop!", "STOPALL", "UNSUBSCRIBE", "CANCEL",
                                  "END", "QUIT"])  # fmt: skip
def test_the_carriers_opt_out_words_unsubscribe_on_sms(context: StepContext, word: str) -> None:
    resident = Resident(context).onboard("nl")
    resident.send(word)
    assert resident.state.stopped
    assert any(isinstance(event, Unsubscribed) for event in resident.events)


@pytest.mark.parametrize("text", ["stop met dat geluid", "please stop", "Cancel my idea"])
def test_only_the_whole_message_is_an_opt_out(context: StepContext, text: str) -> None:
    resident = Resident(context).onboard("nl")
    resident.send(text)
    assert not resident.state.stopped


@pytest.mark.parametrize(("locale", "word"), [("tr", "DUR"), ("ar", "توقف")])
def test_a_localized_stop_the_carrier_ignores_names_the_carriers_word(
    context: StepContext, locale: str, word: str
) -> None:
    resident = Resident(context).onboard(locale)
    shown = resident.said(word)
    assert not resident.state.stopped
    hint = t(locale, "To stop all messages, send {stop}.").format(stop="STOP")
    assert normalize_for_sms(hint) in shown


def test_a_localized_stop_configured_at_the_carrier_unsubscribes(context: StepContext) -> None:
    carrier = CarrierWords(opt_out=("STOP", "DUR"), opt_in=("START", "BAŞLA"))
    configured = StepContext(context.edition, context.flows, context.today, carrier=carrier)
    resident = Resident(configured).onboard("tr")
    shown = resident.said("dur")
    assert resident.state.stopped
    assert "BAŞLA" in shown  # the way back, in Turkish, as the carrier knows it
    resident.send("başla")
    assert not resident.state.stopped


@pytest.mark.parametrize(("locale", "word"), [("nl", "annuleren"), ("tr", "iptal"),
                                              ("ar", "إلغاء"), ("fr", "annuler")])  # fmt: skip
@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_a_localized_cancel_at_a_confirmation_means_no(
    context: StepContext, locale: str, word: str, channel: str
) -> None:
    resident = Resident(context, channel=channel).onboard(locale)
    resident.send("4")  # My data
    resident.send("2")  # Delete everything
    assert resident.at() == ("privacy", "confirm_all")
    resident.send(word)
    assert not resident.state.stopped
    assert resident.at() == ("privacy", "mydata")  # nothing deleted


@pytest.mark.parametrize("locale", list(LANGUAGE_NUMBER))
@pytest.mark.parametrize("word", ["START", "UNSTOP", "YES", "start", "Yes"])
def test_after_stop_the_carriers_opt_in_words_bring_the_resident_back(
    context: StepContext, word: str, locale: str
) -> None:
    resident = Resident(context).onboard(locale)
    resident.send("STOP")
    assert resident.state.stopped
    shown = resident.said(word)
    assert not resident.state.stopped
    assert any(isinstance(event, Resubscribed) for event in resident.events)
    menu = t(locale, "Now: {phase} ({phase_dates}). What would you like to do?")
    assert normalize_for_sms(menu.split("{")[0].strip()) in shown


@pytest.mark.parametrize("locale", list(LANGUAGE_NUMBER))
def test_a_localized_start_the_carrier_ignores_does_not_lift_the_stop(
    context: StepContext, locale: str
) -> None:
    resident = Resident(context).onboard(locale)
    resident.send("STOP")
    localized = t(locale, "START")
    shown = resident.said(localized if localized != "START" else "BEGIN")
    assert resident.state.stopped
    assert shown == ""  # the STOP confirmation named START; no SMS more to pay for


def test_start_while_subscribed_opens_the_menu_and_yes_is_an_answer(
    context: StepContext,
) -> None:
    resident = Resident(context).onboard("en", consent=False)
    resident.send("YES")  # the consent question's answer, not a restart
    assert resident.state.consented
    resident.send("1")
    resident.send("START")
    assert resident.at() == ("main_menu", "menu")


@pytest.mark.parametrize("locale", list(LANGUAGE_NUMBER))
def test_on_telegram_the_bots_own_stop_works_in_every_language(
    context: StepContext, locale: str
) -> None:
    resident = Resident(context, channel="telegram").onboard(locale)
    resident.send(t(locale, "STOP"))
    assert resident.state.stopped
    resident.send(t(locale, "START"))
    assert not resident.state.stopped


def test_no_text_invites_a_carrier_word_for_anything_else(context: StepContext) -> None:
    """The carrier blocks the number on CANCEL, END, QUIT whatever pbbot means by them."""
    carrier_only = {"STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
    from pbbot.engine.inspect import prompts

    for prompt in prompts(context, tuple(LANGUAGE_NUMBER)):
        tokens = {word.strip(".,:;!?()\"'«»") for word in render_sms(prompt.message).split()}
        assert not tokens & carrier_only, (prompt.flow, prompt.step, prompt.message.locale)


# -- Telegram: buttons, and what is not text ------------------------------------------------


def test_a_telegram_reprompt_says_to_tap_a_button(context: StepContext) -> None:
    resident = Resident(context, channel="telegram").onboard("nl")
    (reprompt,) = resident.send("xyz123")
    assert reprompt.text == t("nl", "Please tap one of the buttons.")
    assert reprompt.choices


@pytest.mark.parametrize(
    "sent",
    [{"media": "voice"}, {"media": "sticker"}, {"photo_id": "AgAD"},
     {"location": Location(51.03, 4.48)}],
)  # fmt: skip
@pytest.mark.parametrize("locale", ["nl", "tr", "ar"])
def test_a_voice_note_photo_sticker_or_pin_where_text_is_expected(
    context: StepContext, sent: dict[str, object], locale: str
) -> None:
    resident = Resident(context, channel="telegram").onboard(locale)
    (answer,) = resident.send("", **sent)
    assert answer.text == t(locale, "I can only read text here. Please type your answer.")
    assert answer.choices  # the menu's buttons again
    assert resident.at() == ("main_menu", "menu")


@pytest.mark.parametrize(("text", "locale"), [("YARDIM", "tr"), ("مساعدة", "ar"), ("HULP", "nl"),
                                              ("AIDE", "fr"), ("DİL", "tr")])  # fmt: skip
def test_a_global_word_as_the_first_sms_tells_the_language(
    context: StepContext, text: str, locale: str
) -> None:
    resident = Resident(context)
    first, *_ = resident.send(text)
    assert resident.state.locale == locale
    assert first.text.startswith(
        t(locale, "I will write in English. Another language? Send {keyword}.")[:10]
    )


@pytest.mark.parametrize("text", ["Almanca", "Deutsch", "İspanyolca", "Duits", "allemand"])
def test_a_language_the_city_does_not_offer_is_said_so(context: StepContext, text: str) -> None:
    resident = Resident(context).onboard("tr")
    resident.send("DİL")
    (answer,) = resident.send(text)
    assert answer.text == t("tr", "That language is not offered. Please choose one of these:")
    assert len(answer.choices) == 5
    assert resident.state.locale == "tr"
    assert resident.at() == ("language", "choose")


def test_after_agreeing_the_resident_goes_on_to_what_they_wanted(context: StepContext) -> None:
    resident = Resident(context).onboard("tr", consent=False)
    resident.send("HAYIR")  # declined
    resident.send("YARDIM")
    resident.send("3")  # talk to a person: agree first
    assert resident.at() == ("onboarding", "consent")
    resident.send("evet")
    resident.send("9")  # no district
    shown = resident.said("HAYIR")  # no age
    assert resident.at() == ("person", "ask")
    ask = t(
        "tr", "Type your question in one message. Someone from the city team will answer you here."
    )
    assert normalize_for_sms(ask) in shown
    resident.send("1")  # a number is not a question
    assert resident.at() == ("person", "ask")


def test_declining_again_leads_to_the_menu_not_back_to_the_question(
    context: StepContext,
) -> None:
    resident = Resident(context).onboard("nl", consent=False)
    resident.send("HULP")
    resident.send("3")  # talk to a person
    resident.send("nee")
    assert resident.at() == ("main_menu", "menu")
    assert resident.state.wanted is None


@pytest.mark.parametrize(("locale", "text"), [("tr", "merhaba"), ("ar", "شكرا"), ("nl", "dank je"),
                                              ("fr", "Merci !"), ("en", "🙏")])  # fmt: skip
def test_a_greeting_or_thanks_shows_where_the_resident_is_again(
    context: StepContext, locale: str, text: str
) -> None:
    resident = Resident(context).onboard(locale)
    (menu,) = resident.send(text)
    assert resident.at() == ("main_menu", "menu")
    assert resident.state.misses == 0
    assert [c.payload for c in menu.choices] == MAIN_MENU_CHOICES


@pytest.mark.parametrize(
    ("today", "shown"),
    [(date(2027, 1, 5), "Information from January 11, 2027"),
     (date(2029, 3, 1), "ended December 31, 2028")],
)  # fmt: skip
def test_outside_the_phases_the_menu_says_what_comes_or_ended(
    context: StepContext, today: date, shown: str
) -> None:
    other_day = StepContext(context.edition, context.flows, today)
    resident = Resident(other_day).onboard("en")
    assert shown in resident.said("MENU")


@pytest.mark.parametrize(
    ("locale", "text"),
    [("tr", "onaylamıyorum"), ("en", "unsure"), ("fr", "non d'accord"), ("fr", "pas d'accord")],
)
def test_a_negation_is_never_taken_for_yes(context: StepContext, locale: str, text: str) -> None:
    resident = Resident(context).onboard(locale, consent=False)
    resident.send(text)
    assert not resident.state.consented
    resident = Resident(context).onboard(locale)
    resident.send("4")  # My data
    resident.send("2")  # delete everything?
    resident.send(text)
    assert resident.state.locale == locale, "nothing was erased"


@pytest.mark.parametrize("channel", ["sms", "telegram"])
def test_before_a_language_every_way_leads_to_the_language_question(
    context: StepContext, channel: str
) -> None:
    resident = Resident(context, channel=channel)
    resident.send("HELP")
    assert resident.at() == ("onboarding", "language")
    resident.send("MENU")
    assert resident.at() == ("onboarding", "language")
    for _ in range(3):  # three misses offer help, which needs a language too
        resident.send("xyz")
    assert resident.at() == ("onboarding", "language")
    assert resident.state.locale is None


def test_going_elsewhere_from_the_consent_question_forgets_what_was_wanted(
    context: StepContext,
) -> None:
    resident = Resident(context).onboard("nl", consent=False)
    resident.send("nee")
    resident.send("HULP")
    resident.send("3")  # talk to a person: agree first
    resident.send("MENU")  # not now
    resident.send("4")  # Take part, later
    resident.send("ja")
    resident.send("9")
    resident.send("NEE")
    assert resident.at() == ("main_menu", "menu")


def test_a_detour_left_by_its_main_menu_does_not_lead_back_later(context: StepContext) -> None:
    resident = Resident(context).onboard("nl")
    resident.send("2")  # timeline
    resident.send("HULP")
    resident.send("2")  # help's main menu
    resident.send("6")  # language, from the menu
    resident.send("2")  # Français
    assert resident.at() == ("main_menu", "menu")


@pytest.mark.parametrize("text", ["-", "…"])
def test_a_dash_skips_an_optional_question(context: StepContext, text: str) -> None:
    resident = Resident(context).onboard("nl", consent=False)
    resident.send("ja")
    resident.send("9")
    resident.send(text)
    assert resident.at() == ("main_menu", "menu")
