"""Ideas: residents send, browse, support and discuss ideas; staff review them.

The package adds to the rest of pbbot from modules that register when
imported (`pbbot.features` lists them). For the engine: the actions, option
sources and variables its flows name (`actions` for sending an idea;
`browsing`, `discussing` and `mine` for the rest). For the service: the
handlers that store its events (`handlers`), the loaders of its snapshot
parts (`snapshots`) and its part of residents' data (`personal_data`).
"""
