"""gunicorn settings for `make serve` (gunicorn -c zhongyuan/gunicorn.conf.py zhongyuan.wsgi).

Options given on the command line (--workers, --bind, --access-logfile) override these.

Long URLs. gunicorn refuses a request line (method, URL and protocol) longer than
`limit_request_line` itself, with a bare English "414 URI Too Long" page that is not ours. So it
is set to 8190 bytes, the largest bounded value gunicorn accepts (0 would mean no limit at all),
and Django refuses URLs longer than MAX_URL_LENGTH (4096 bytes by default, see settings) with our
own 414 page in the user's language (zhongyuan/errors.py). Only a request line over 8190 bytes,
which no page of the site links to, still gets gunicorn's own answer: status 414, the text
"Request Line is too large (<size> > 8190)", and the connection closed. Request headers keep
gunicorn's defaults (100 fields of at most 8190 bytes; over that: its bare 431 or 400 page).
"""

limit_request_line = 8190
