"""Country names and codes of the capability sources → ISO 3166-1 alpha-3 (private).

Explicit tables: a name or code not here is counted, reported with an
:class:`~trilateral.data._capcommon.UnmappedCountryWarning` and left out, never guessed.
"""

from __future__ import annotations

__all__ = [
    "COW_CCODE_TO_ISO3",
    "COW_EXCLUDED",
    "ISO2_TO_ISO3",
    "SIPRI_EXCLUDED",
    "SIPRI_NAME_TO_ISO3",
]

# SIPRI workbook names (1949–2023 release, plus older/newer spellings) → ISO3.
# "USSR" is mapped to RUS, as the Correlates of War and the UN voting data do: the panel
# treats the Russian Federation as the USSR's continuation (SIPRI's USSR row covers
# 1987–1990, its Russia row starts in 1992, so the two never overlap; if they ever did,
# the reader raises instead of choosing).
SIPRI_NAME_TO_ISO3: dict[str, str] = {
    # Africa
    "Algeria": "DZA", "Libya": "LBY", "Morocco": "MAR", "Tunisia": "TUN", "Angola": "AGO",
    "Benin": "BEN", "Botswana": "BWA", "Burkina Faso": "BFA", "Burundi": "BDI",
    "Cameroon": "CMR", "Cape Verde": "CPV", "Cabo Verde": "CPV",
    "Central African Republic": "CAF", "Chad": "TCD", "Congo, DR": "COD",
    "Congo, Republic": "COG", "Cote d'Ivoire": "CIV", "Côte d'Ivoire": "CIV",
    "Djibouti": "DJI", "Equatorial Guinea": "GNQ", "Eritrea": "ERI", "Ethiopia": "ETH",
    "Gabon": "GAB", "Gambia, The": "GMB", "Gambia": "GMB", "Ghana": "GHA", "Guinea": "GIN",
    "Guinea-Bissau": "GNB", "Kenya": "KEN", "Lesotho": "LSO", "Liberia": "LBR",
    "Madagascar": "MDG", "Malawi": "MWI", "Mali": "MLI", "Mauritania": "MRT",
    "Mauritius": "MUS", "Mozambique": "MOZ", "Namibia": "NAM", "Niger": "NER",
    "Nigeria": "NGA", "Rwanda": "RWA", "Senegal": "SEN", "Seychelles": "SYC",
    "Sierra Leone": "SLE", "Somalia": "SOM", "South Africa": "ZAF", "South Sudan": "SSD",
    "Sudan": "SDN", "Eswatini": "SWZ", "Swaziland": "SWZ", "Tanzania": "TZA", "Togo": "TGO",
    "Uganda": "UGA", "Zambia": "ZMB", "Zimbabwe": "ZWE",
    # Americas
    "Belize": "BLZ", "Costa Rica": "CRI", "Cuba": "CUB", "Dominican Republic": "DOM",
    "El Salvador": "SLV", "Guatemala": "GTM", "Haiti": "HTI", "Honduras": "HND",
    "Jamaica": "JAM", "Mexico": "MEX", "Nicaragua": "NIC", "Panama": "PAN",
    "Trinidad and Tobago": "TTO", "Canada": "CAN", "United States of America": "USA",
    "United States": "USA", "USA": "USA", "Argentina": "ARG", "Bolivia": "BOL",
    "Brazil": "BRA", "Chile": "CHL", "Colombia": "COL", "Ecuador": "ECU", "Guyana": "GUY",
    "Paraguay": "PRY", "Peru": "PER", "Uruguay": "URY", "Venezuela": "VEN",
    # Asia and Oceania
    "Australia": "AUS", "Fiji": "FJI", "New Zealand": "NZL", "Papua New Guinea": "PNG",
    "Afghanistan": "AFG", "Bangladesh": "BGD", "India": "IND", "Nepal": "NPL",
    "Pakistan": "PAK", "Sri Lanka": "LKA", "China": "CHN", "Japan": "JPN",
    "Korea, North": "PRK", "Korea, South": "KOR", "Mongolia": "MNG", "Taiwan": "TWN",
    "Brunei": "BRN", "Brunei Darussalam": "BRN", "Cambodia": "KHM", "Indonesia": "IDN",
    "Laos": "LAO", "Malaysia": "MYS", "Myanmar": "MMR", "Philippines": "PHL",
    "Singapore": "SGP", "Thailand": "THA", "Timor Leste": "TLS", "Timor-Leste": "TLS",
    "Viet Nam": "VNM", "Vietnam": "VNM", "Kazakhstan": "KAZ", "Kyrgyz Republic": "KGZ",
    "Kyrgyzstan": "KGZ", "Tajikistan": "TJK", "Turkmenistan": "TKM", "Uzbekistan": "UZB",
    # Europe
    "Albania": "ALB", "Bosnia and Herzegovina": "BIH", "Bosnia-Herzegovina": "BIH",
    "Bulgaria": "BGR", "Croatia": "HRV", "Czechia": "CZE", "Czech Republic": "CZE",
    "Czechoslovakia": "CSK", "Estonia": "EST", "German Democratic Republic": "DDR",
    "German DR": "DDR", "Hungary": "HUN", "Kosovo": "XKX", "Latvia": "LVA",
    "Lithuania": "LTU", "North Macedonia": "MKD", "Macedonia": "MKD",
    "Macedonia, FYR": "MKD", "Montenegro": "MNE", "Poland": "POL", "Romania": "ROU",
    "Serbia": "SRB", "Slovakia": "SVK", "Slovenia": "SVN", "Yugoslavia": "YUG",
    "Armenia": "ARM", "Azerbaijan": "AZE", "Belarus": "BLR", "Georgia": "GEO",
    "Moldova": "MDA", "Russia": "RUS", "USSR": "RUS", "Ukraine": "UKR", "Austria": "AUT",
    "Belgium": "BEL", "Cyprus": "CYP", "Denmark": "DNK", "Finland": "FIN", "France": "FRA",
    "Germany": "DEU", "Greece": "GRC", "Iceland": "ISL", "Ireland": "IRL", "Italy": "ITA",
    "Luxembourg": "LUX", "Malta": "MLT", "Netherlands": "NLD", "Norway": "NOR",
    "Portugal": "PRT", "Spain": "ESP", "Sweden": "SWE", "Switzerland": "CHE",
    "United Kingdom": "GBR", "UK": "GBR",
    # Middle East
    "Bahrain": "BHR", "Egypt": "EGY", "Iran": "IRN", "Iraq": "IRQ", "Israel": "ISR",
    "Jordan": "JOR", "Kuwait": "KWT", "Lebanon": "LBN", "Oman": "OMN", "Qatar": "QAT",
    "Saudi Arabia": "SAU", "Syria": "SYR", "Türkiye": "TUR", "Turkey": "TUR",
    "United Arab Emirates": "ARE", "Yemen": "YEM",
}  # fmt: skip

#: SIPRI rows deliberately left out (no warning): not a state, or no ISO 3166 code that
#: would not silently merge it into its successor.
SIPRI_EXCLUDED: dict[str, str] = {
    "European Union": "not a state (an EU-level budget line)",
    "Yemen, North": "Yemen Arab Republic (to 1990): no ISO 3166 code of its own",
}

# Correlates of War ccode → ISO3 (COW state list, 2016). ccode 365 (Russia, the USSR
# included) → RUS; 255 (Prussia/Germany) and 260 (German Federal Republic) → DEU; 816
# (Vietnam, the DRV included) → VNM; 315 Czechoslovakia → CSK and 265 GDR → DDR (ISO
# 3166-3 codes); 347 Kosovo → XKX (the World Bank's code, so the panel stays joinable).
COW_CCODE_TO_ISO3: dict[int, str] = {
    2: "USA", 20: "CAN", 31: "BHS", 40: "CUB", 41: "HTI", 42: "DOM", 51: "JAM", 52: "TTO",
    53: "BRB", 54: "DMA", 55: "GRD", 56: "LCA", 57: "VCT", 58: "ATG", 60: "KNA", 70: "MEX",
    80: "BLZ", 90: "GTM", 91: "HND", 92: "SLV", 93: "NIC", 94: "CRI", 95: "PAN", 100: "COL",
    101: "VEN", 110: "GUY", 115: "SUR", 130: "ECU", 135: "PER", 140: "BRA", 145: "BOL",
    150: "PRY", 155: "CHL", 160: "ARG", 165: "URY", 200: "GBR", 205: "IRL", 210: "NLD",
    211: "BEL", 212: "LUX", 220: "FRA", 221: "MCO", 223: "LIE", 225: "CHE", 230: "ESP",
    232: "AND", 235: "PRT", 255: "DEU", 260: "DEU", 265: "DDR", 290: "POL", 305: "AUT",
    310: "HUN", 315: "CSK", 316: "CZE", 317: "SVK", 325: "ITA", 331: "SMR", 338: "MLT",
    339: "ALB", 341: "MNE", 343: "MKD", 344: "HRV", 346: "BIH", 347: "XKX", 349: "SVN",
    350: "GRC", 352: "CYP", 355: "BGR", 359: "MDA", 360: "ROU", 365: "RUS", 366: "EST",
    367: "LVA", 368: "LTU", 369: "UKR", 370: "BLR", 371: "ARM", 372: "GEO", 373: "AZE",
    375: "FIN", 380: "SWE", 385: "NOR", 390: "DNK", 395: "ISL", 402: "CPV", 403: "STP",
    404: "GNB", 411: "GNQ", 420: "GMB", 432: "MLI", 433: "SEN", 434: "BEN", 435: "MRT",
    436: "NER", 437: "CIV", 438: "GIN", 439: "BFA", 450: "LBR", 451: "SLE", 452: "GHA",
    461: "TGO", 471: "CMR", 475: "NGA", 481: "GAB", 482: "CAF", 483: "TCD", 484: "COG",
    490: "COD", 500: "UGA", 501: "KEN", 510: "TZA", 516: "BDI", 517: "RWA", 520: "SOM",
    522: "DJI", 530: "ETH", 531: "ERI", 540: "AGO", 541: "MOZ", 551: "ZMB", 552: "ZWE",
    553: "MWI", 560: "ZAF", 565: "NAM", 570: "LSO", 571: "BWA", 572: "SWZ", 580: "MDG",
    581: "COM", 590: "MUS", 591: "SYC", 600: "MAR", 615: "DZA", 616: "TUN", 620: "LBY",
    625: "SDN", 626: "SSD", 630: "IRN", 640: "TUR", 645: "IRQ", 651: "EGY", 652: "SYR",
    660: "LBN", 663: "JOR", 666: "ISR", 670: "SAU", 679: "YEM", 680: "YMD", 690: "KWT",
    692: "BHR", 694: "QAT", 696: "ARE", 698: "OMN", 700: "AFG", 701: "TKM", 702: "TJK",
    703: "KGZ", 704: "UZB", 705: "KAZ", 710: "CHN", 712: "MNG", 713: "TWN", 731: "PRK",
    732: "KOR", 740: "JPN", 750: "IND", 760: "BTN", 770: "PAK", 771: "BGD", 775: "MMR",
    780: "LKA", 781: "MDV", 790: "NPL", 800: "THA", 811: "KHM", 812: "LAO", 816: "VNM",
    820: "MYS", 830: "SGP", 835: "BRN", 840: "PHL", 850: "IDN", 860: "TLS", 900: "AUS",
    910: "PNG", 920: "NZL", 935: "VUT", 940: "SLB", 946: "KIR", 947: "TUV", 950: "FJI",
    955: "TON", 970: "NRU", 983: "MHL", 986: "PLW", 987: "FSM", 990: "WSM",
}  # fmt: skip

#: When two ccodes give the same ISO3 and year, which one wins (first listed): in 1990
#: COW lists both the German Federal Republic (260, to 3 October) and Germany (255).
_COW_PRECEDENCE: dict[str, tuple[int, ...]] = {"DEU": (255, 260)}

#: COW states deliberately left out (no warning): no ISO 3166 code, or one code would
#: wrongly merge different states.
COW_EXCLUDED: dict[int, str] = {
    240: "Hanover", 245: "Bavaria", 267: "Baden", 269: "Saxony", 271: "Württemberg",
    273: "Hesse-Kassel", 275: "Hesse-Darmstadt", 280: "Mecklenburg-Schwerin",
    300: "Austria-Hungary", 327: "Papal States", 329: "Two Sicilies", 332: "Modena",
    335: "Parma", 337: "Tuscany", 511: "Zanzibar", 678: "Yemen Arab Republic",
    730: "Korea (1887-1905)", 817: "Republic of Vietnam",
    345: "Serbia/Yugoslavia/Serbia (1878-2016 under one code: no single ISO 3166 code)",
}  # fmt: skip

#: ISO 3166-1 alpha-2 → alpha-3 for the codes the UN voting data use (plus historical
#: ISO 3166-3 codes: CS Czechoslovakia, DD GDR, YU Yugoslavia, YD South Yemen).
ISO2_TO_ISO3: dict[str, str] = {
    "AD": "AND", "AE": "ARE", "AF": "AFG", "AG": "ATG", "AL": "ALB", "AM": "ARM",
    "AO": "AGO", "AR": "ARG", "AT": "AUT", "AU": "AUS", "AZ": "AZE", "BA": "BIH",
    "BB": "BRB", "BD": "BGD", "BE": "BEL", "BF": "BFA", "BG": "BGR", "BH": "BHR",
    "BI": "BDI", "BJ": "BEN", "BN": "BRN", "BO": "BOL", "BR": "BRA", "BS": "BHS",
    "BT": "BTN", "BW": "BWA", "BY": "BLR", "BZ": "BLZ", "CA": "CAN", "CD": "COD",
    "CF": "CAF", "CG": "COG", "CH": "CHE", "CI": "CIV", "CL": "CHL", "CM": "CMR",
    "CN": "CHN", "CO": "COL", "CR": "CRI", "CS": "CSK", "CU": "CUB", "CV": "CPV",
    "CY": "CYP", "CZ": "CZE", "DD": "DDR", "DE": "DEU", "DJ": "DJI", "DK": "DNK",
    "DM": "DMA", "DO": "DOM", "DZ": "DZA", "EC": "ECU", "EE": "EST", "EG": "EGY",
    "ER": "ERI", "ES": "ESP", "ET": "ETH", "FI": "FIN", "FJ": "FJI", "FM": "FSM",
    "FR": "FRA", "GA": "GAB", "GB": "GBR", "GD": "GRD", "GE": "GEO", "GH": "GHA",
    "GM": "GMB", "GN": "GIN", "GQ": "GNQ", "GR": "GRC", "GT": "GTM", "GW": "GNB",
    "GY": "GUY", "HN": "HND", "HR": "HRV", "HT": "HTI", "HU": "HUN", "ID": "IDN",
    "IE": "IRL", "IL": "ISR", "IN": "IND", "IQ": "IRQ", "IR": "IRN", "IS": "ISL",
    "IT": "ITA", "JM": "JAM", "JO": "JOR", "JP": "JPN", "KE": "KEN", "KG": "KGZ",
    "KH": "KHM", "KI": "KIR", "KM": "COM", "KN": "KNA", "KP": "PRK", "KR": "KOR",
    "KW": "KWT", "KZ": "KAZ", "LA": "LAO", "LB": "LBN", "LC": "LCA", "LI": "LIE",
    "LK": "LKA", "LR": "LBR", "LS": "LSO", "LT": "LTU", "LU": "LUX", "LV": "LVA",
    "LY": "LBY", "MA": "MAR", "MC": "MCO", "MD": "MDA", "ME": "MNE", "MG": "MDG",
    "MH": "MHL", "MK": "MKD", "ML": "MLI", "MM": "MMR", "MN": "MNG", "MR": "MRT",
    "MT": "MLT", "MU": "MUS", "MV": "MDV", "MW": "MWI", "MX": "MEX", "MY": "MYS",
    "MZ": "MOZ", "NA": "NAM", "NE": "NER", "NG": "NGA", "NI": "NIC", "NL": "NLD",
    "NO": "NOR", "NP": "NPL", "NR": "NRU", "NZ": "NZL", "OM": "OMN", "PA": "PAN",
    "PE": "PER", "PG": "PNG", "PH": "PHL", "PK": "PAK", "PL": "POL", "PT": "PRT",
    "PW": "PLW", "PY": "PRY", "QA": "QAT", "RO": "ROU", "RU": "RUS", "RW": "RWA",
    "SA": "SAU", "SB": "SLB", "SC": "SYC", "SD": "SDN", "SE": "SWE", "SG": "SGP",
    "SI": "SVN", "SK": "SVK", "SL": "SLE", "SM": "SMR", "SN": "SEN", "SO": "SOM",
    "SR": "SUR", "SS": "SSD", "ST": "STP", "SV": "SLV", "SY": "SYR", "SZ": "SWZ",
    "TD": "TCD", "TG": "TGO", "TH": "THA", "TJ": "TJK", "TL": "TLS", "TM": "TKM",
    "TN": "TUN", "TO": "TON", "TR": "TUR", "TT": "TTO", "TV": "TUV", "TW": "TWN",
    "TZ": "TZA", "UA": "UKR", "UG": "UGA", "US": "USA", "UY": "URY", "UZ": "UZB",
    "VC": "VCT", "VE": "VEN", "VN": "VNM", "VU": "VUT", "WS": "WSM", "YD": "YMD",
    "YE": "YEM", "YU": "YUG", "ZA": "ZAF", "ZM": "ZMB", "ZW": "ZWE",
}  # fmt: skip
