"""The languages a record, its reports and the workspace index may be written in."""

import typing

#: A language code of a record.
LanguageCode = typing.Literal["en", "fr"]
#: Every language, in the order commands list them.
LANGUAGES: tuple[str, ...] = typing.get_args(LanguageCode)
