# English date formats for the dashboard, overriding Django's US defaults ("Sept. 30, 2020", "3 p.m.").
# Chinese pages use Django's zh_Hans formats (2020年9月30日, 2020年9月). Templates write exact dates that
# are data keys (as-of links, months) as ISO Y-m-d / Y-m in both languages.
DATE_FORMAT = "j F Y"  # 30 September 2020
YEAR_MONTH_FORMAT = "F Y"  # September 2020
MONTH_DAY_FORMAT = "j F"  # 30 September
DATETIME_FORMAT = "j F Y, H:i"  # 30 September 2020, 14:05
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
