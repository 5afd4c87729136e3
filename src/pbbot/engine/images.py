"""Images that flow steps show beside their text (`image: NAME`): a registry
like the option sources'.

A message or choice step may name an image source; on Telegram the engine
then sends the picture (as a photo before the text, `Outbound.image`). SMS
carries no pictures: there the source is never called. A source is a
registered function of the context and the turn, reading what it draws from
the snapshot, so features add theirs without touching the engine:

    @image_source("results_chart")
    def results_chart(ctx: StepContext, turn: Turn) -> bytes | None: ...

It returns the image's bytes (PNG or JPEG), or None when there is nothing to
show: the text then goes alone. Flow validation refuses a step that names an
image source nobody registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from pbbot.engine.context import StepContext, Turn
from pbbot.engine.events import MessageCreated
from pbbot.engine.registry import registrar
from pbbot.engine.run import Run

__all__ = ["IMAGE_CHANNELS", "IMAGE_SOURCES", "ImageSource", "attach_image", "image_source"]

ImageSource = Callable[[StepContext, Turn], bytes | None]
IMAGE_SOURCES: dict[str, ImageSource] = {}

# The channels that show a message's image; the others never ask a source.
IMAGE_CHANNELS: frozenset[str] = frozenset({"telegram"})


# `@image_source("results_chart")`: the source a step names in `image: results_chart`.
image_source = registrar(IMAGE_SOURCES, "image source")


def attach_image(run: Run, name: str | None) -> None:
    """Give the message the step just said the image of source `name`, on a
    channel that shows images; nothing changes elsewhere, or when the source
    has no image now."""
    if name is None or run.turn.channel not in IMAGE_CHANNELS:
        return
    image = IMAGE_SOURCES[name](run.ctx, run.turn)
    if not image:
        return
    for index in range(len(run.events) - 1, -1, -1):
        event = run.events[index]
        if isinstance(event, MessageCreated):
            run.events[index] = MessageCreated(replace(event.message, image=image))
            return
