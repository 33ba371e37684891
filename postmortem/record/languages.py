"""The languages a record, its reports and the workspace index may be written in."""

import typing

#: A language code of a record.
LanguageCode = typing.Literal["en", "fr"]
#: Every language, in the order commands list them.
LANGUAGES: tuple[str, ...] = typing.get_args(LanguageCode)

#: Regional variants a record or a workspace may choose for dates and numbers (Babel
#: locales): British or American English, French of France, Belgium, Canada, Switzerland.
LocaleCode = typing.Literal["en_US", "en_GB", "en_IE", "en_CA", "en_AU", "en_NZ", "en_IN",
                            "fr_FR", "fr_BE", "fr_CA", "fr_CH", "fr_LU"]
LOCALES: tuple[str, ...] = typing.get_args(LocaleCode)

#: A language tag for a text that is not in the record's language ('en', 'de', 'pt-BR').
LANGUAGE_TAG_PATTERN = r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$"
