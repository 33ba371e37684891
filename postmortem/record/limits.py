"""The bounds on what one record may hold and on the work of reading and rendering it.

A record is written by people, but a workspace may build files it did not write (a
contribution, a copy from another team). Every size that drives the time or the memory
of a later step is bounded here, far above what a real review needs, so that a hostile
or broken file is refused with a message instead of exhausting the machine; each number
says why it is what it is. Every refusal reads `<what> is <actual>; the limit is <N>
<unit>`, the numbers written with thousands separators.
"""

from __future__ import annotations

from postmortem.i18n import message_language

#: Bytes in one record file. The longest real review is under 50 KiB of text; half a
#: mebibyte leaves ten times that, bounds the memory of loading (a node per value), and
#: keeps the PDF of the largest record within the rendering time limit (a record of
#: 900 KB at the list caps took a minute of processor time to print).
MAX_BYTES = 512 * 1024

#: Levels of YAML nesting (mappings and lists inside each other). A record is about six
#: levels deep; 64 keeps the recursive steps that follow far from Python's limit.
MAX_DEPTH = 64

#: Entries of the timeline. A long outage of several weeks is reviewed in about 200
#: events; each entry is a row in every report and a mark on the chart, so 1,000 keeps
#: the chart readable and the PDF within the rendering time limit.
MAX_TIMELINE = 1000

#: Communications. Statements, posts and calls of a long incident number in the tens;
#: 500 leaves room for a record that lists every status-page update.
MAX_COMMUNICATIONS = 500

#: Items of any other list (impacts, actions, sources, factors, quantities, lessons,
#: observations, authors, sites…). The largest real lists (sources) hold about 40 items;
#: each item is a row or a paragraph of the reports.
MAX_LIST = 200

#: Characters of one text field. A long explanation is a few thousand characters; 20,000
#: (about eight pages) bounds the Markdown parsing and the layout of one paragraph.
MAX_TEXT = 20_000

#: Rows of one Markdown table inside a text (body rows, the header not counted). A table
#: longer than 100 rows belongs in an attachment; the PDF lays out every row.
MAX_TABLE_ROWS = 100

#: Columns of one Markdown table inside a text. Twelve columns already need the small
#: type of a wide table to fit a printed page.
MAX_TABLE_COLUMNS = 12

#: Levels of Markdown nesting inside one text: block quotes, lists, emphasis, links and
#: brackets inside each other. Real texts nest three or four levels; deeper nesting
#: makes the Markdown parser and the PDF layout slow (their cost grows with the depth).
MAX_NESTING = 16

#: Bytes of one image embedded in a text (as a `data:image/…;base64,` address), decoded.
#: A diagram or a screenshot in PNG or JPEG fits in a quarter of a mebibyte; in base64 it
#: takes a third more, within the size of a record file.
MAX_IMAGE_BYTES = 256 * 1024

#: Pixels on each side of an embedded image. 4,096 is twice the width of a printed page
#: at 300 dpi; a small file can declare a huge image, which decoding would allocate.
MAX_IMAGE_SIDE = 4096

#: Pixels of an embedded image (width times height): 16 million pixels decode into
#: 64 MB at four bytes a pixel, within the rendering memory limit.
MAX_IMAGE_PIXELS = 16_000_000

#: Counts (`site_count`, and any whole number but a quantity's value): a trillion is more
#: than any count of sites, machines or people, and formats within every table column.
MAX_INTEGER = 10**12

#: A quantity's value is below this (and so are progress values): 10**15 is the largest
#: power of ten that a float holds exactly with room for a fraction.
MAX_QUANTITY = 10**15

#: Significant digits of a quantity's value: a float holds 15 of them faithfully, so a
#: value with more would not be shown as written.
MAX_DIGITS = 15

#: Years an instant or a date may fall in. Reviews are of events of the last and of this
#: century; the margin of two centuries keeps every later arithmetic (an uncertainty,
#: a day, a zone offset, a duration added) far inside what dates can represent.
FIRST_YEAR = 1900
LAST_YEAR = 2199

#: Seconds that rendering one record may take (by default): the PDF of a record at the
#: caps above takes well under a minute; twice that means something is wrong.
TIME_LIMIT = 120

#: Mebibytes of memory that rendering one record may use (by default): a record at the
#: caps renders in a few hundred MiB; 2 GiB stops a runaway before the machine swaps.
MEMORY_LIMIT = 2048

#: Characters of a value echoed in a message: enough to recognise it, never a screenful.
MAX_ECHO = 60


def figure(value: int) -> str:
    """Write a size, a count or a limit for a message, grouped as the reader's language does.

    English groups thousands with commas (524,288); French with a narrow space (524 288),
    since a comma there marks decimals.
    """
    lang = message_language()
    if lang == "en":
        return f"{value:,}"
    from babel.numbers import format_decimal

    return format_decimal(value, locale=lang)
