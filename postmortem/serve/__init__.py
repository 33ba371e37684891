"""`postmortem serve`: a live preview of a workspace's reports while their records are edited.

`server` answers the browser, `preview` renders in memory what a page shows (and keeps
the last good rendering while a record is broken), `page` adds the preview's bar, its
problems and its reload script to the served copy, `watch` hears the saves.
"""
