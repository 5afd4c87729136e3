"""`pbbot flows check`: validate the flows, then inspect them against the
catalogs and the SMS budget. Exit 0 only when nothing is wrong.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from pbbot.commands.options import add_common_options, edition_path, today

if TYPE_CHECKING:
    from pbbot.flows.model import FlowSet

__all__ = ["MAX_SMS_SEGMENTS", "register"]

MAX_SMS_SEGMENTS = 3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("flows", help="check the dialogue flows")
    actions = parser.add_subparsers(dest="flows_command", required=True, metavar="ACTION")
    check = actions.add_parser("check", help="validate flows, catalog coverage and SMS sizes")
    check.add_argument("--flows", type=Path, metavar="DIR", help="flow folder (default: flows/)")
    add_common_options(check)
    check.set_defaults(run=_check)


def _check(args: argparse.Namespace) -> int:
    # The engine, YAML and Babel load only for the check, so that other commands start quickly.
    from pbbot.channels.sms.render import render_sms
    from pbbot.config.edition_file import load_edition
    from pbbot.engine.context import StepContext
    from pbbot.engine.flowset import flows_dir, load_engine_flows
    from pbbot.engine.inspect import prompts
    from pbbot.features import load_features
    from pbbot.i18n.sms import sms_segments

    load_features(service=False)  # the actions, sources and variables feature flows name
    flows = load_engine_flows(args.flows or flows_dir())  # FlowError stops here, with file:line
    problems = _missing_translations(flows)
    edition = load_edition(edition_path(args))
    day = today(args) or edition.phases[0].start
    context = StepContext(edition, flows, day)
    for prompt in prompts(context, edition.languages):
        size = sms_segments(render_sms(prompt.message))
        if size.segments > MAX_SMS_SEGMENTS:
            problems.append(
                f"{prompt.source}:{prompt.line}: step '{prompt.step}' is {size.segments} SMS "
                f"segments in {prompt.message.locale} ({size.encoding}); at most {MAX_SMS_SEGMENTS}"
            )
    for problem in problems:
        print(problem)
    steps = sum(len(flow.steps) for flow in flows.flows.values())
    print(f"{len(flows.flows)} flows, {steps} steps: {len(problems) or 'no'} problems")
    return 1 if problems else 0


def _missing_translations(flows: FlowSet) -> list[str]:
    from pbbot.i18n.catalogs import DOMAIN, SUPPORTED_LOCALES, locales_dir
    from pbbot.i18n.extract import read_catalog

    problems = []
    for locale in SUPPORTED_LOCALES:
        path = locales_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        catalog = read_catalog(path, locale=locale) if path.exists() else None
        for flow in flows.flows.values():
            for step in flow.steps.values():
                for text, line in step.texts():
                    message = catalog.get(text) if catalog else None
                    if message is None or not message.string or message.fuzzy:
                        problems.append(
                            f"{flow.source}:{line}: no {locale} translation for {text!r}"
                        )
    return problems
