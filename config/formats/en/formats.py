"""English as written in Europe, where Autodiag's English readers work: day before month
(05/12/2026 is 5 December), a 24-hour clock and weeks from Monday, as in the French
pages beside them and in the funding rules' own dates. Django's "en" is American
(12/05/2026, 10:24 p.m.), which reads as 12 May here."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
# What a date typed in English means: day first (ISO 2026-12-05 is always understood).
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"]
