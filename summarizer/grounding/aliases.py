"""Words that name the same thing in other words: places and their peoples, abbreviations, titles (a leaf).

General knowledge that a key point may use where its article uses another form, so that
neither is an unsupported name:

* a place and its people: "Britain", "British", "Briton", "Brits", "UK" (``same_place``);
* an abbreviation and the words it stands for: "U.N." for "united nations", "PM" for "prime
  minister", "NY" for "New York", and a football club's nickname or ground for the club: "the
  Gunners", "the Etihad" (``EXPANSIONS``);
* abbreviations that are common nouns, not names ("TV", "ID", "DNA"): never flagged;
* titles and generational suffixes ("Mrs", "Dr", "Jr", "III"): part of a name, not one.

>>> sorted(same_place("britons"))[:4]
['brit', 'britain', 'british', 'briton']
>>> EXPANSIONS["un"]
(('united', 'nations'),)
"""

from __future__ import annotations

from functools import lru_cache

# One line a place: the place's words first (several words joined by "_"), then its adjectives and peoples.
_PLACES = """
afghanistan afghan afghans
albania albanian
algeria algerian
america american americans usa united_states yank yanks
argentina argentine argentinian argentinians
armenia armenian
australia australian aussie aussies
austria austrian
bangladesh bangladeshi
belgium belgian
bolivia bolivian
bosnia bosnian
brazil brazilian
britain british briton britons brit brits uk u.k united_kingdom
bulgaria bulgarian
cambodia cambodian
cameroon cameroonian
canada canadian
chile chilean
china chinese
colombia colombian
croatia croatian croat croats
cuba cuban
cyprus cypriot
czech_republic czech czechs
denmark danish dane danes
ecuador ecuadorian
egypt egyptian
england english englishman englishmen
estonia estonian
ethiopia ethiopian
europe european europeans
finland finnish finn finns
france french frenchman frenchwoman frenchmen
georgia georgian
germany german germans
ghana ghanaian
greece greek greeks
holland dutch netherlands dutchman
hungary hungarian
iceland icelandic icelander
india indian indians
indonesia indonesian
iran iranian iranians persian
iraq iraqi iraqis
ireland irish irishman
israel israeli israelis
italy italian italians
jamaica jamaican
japan japanese
jordan jordanian
kenya kenyan
korea korean koreans
kuwait kuwaiti
lebanon lebanese
libya libyan libyans
lithuania lithuanian
malaysia malaysian
mexico mexican mexicans
morocco moroccan
nepal nepalese nepali
new_zealand kiwi kiwis nz
nigeria nigerian nigerians
norway norwegian
pakistan pakistani pakistanis
palestine palestinian palestinians
peru peruvian
philippines filipino filipina filipinos philippine
poland polish pole poles
portugal portuguese
qatar qatari
romania romanian
russia russian russians
saudi_arabia saudi saudis
scotland scottish scot scots scotsman
serbia serbian serb serbs
singapore singaporean
slovakia slovak slovakian
slovenia slovenian
somalia somali somalis
south_africa south_african south_africans
spain spanish spaniard spaniards
sri_lanka sri_lankan
sudan sudanese
sweden swedish swede swedes
switzerland swiss
syria syrian syrians
taiwan taiwanese
thailand thai thais
tibet tibetan tibetans
tunisia tunisian
turkey turkish turk turks
uganda ugandan
ukraine ukrainian ukrainians
uruguay uruguayan
venezuela venezuelan
vietnam vietnamese
wales welsh welshman
yemen yemeni yemenis
zimbabwe zimbabwean
africa african africans
asia asian asians
arab arabs arabic arabian
catalonia catalan catalans
bavaria bavarian
texas texan texans
california californian californians
florida floridian floridians
london londoner londoners
liverpool liverpudlian liverpudlians scouse scouser
manchester mancunian mancunians
glasgow glaswegian glaswegians
paris parisian parisians
new_york new_yorker new_yorkers nyc ny
"""

# Abbreviations and the words they stand for (any one of the forms found in the article supports it).
_EXPANSIONS = """
un united_nations
utd united
united_states us usa america american americans
fergie ferguson
kp pietersen
becks beckham
wazza rooney
samcam cameron
united utd
isis islamic_state isil
isil islamic_state isis
islamic isis isil islamist islamists
tory conservative conservatives
tories conservative conservatives
gop republican republicans
dems democrats democratic
dem democrat democrats democratic
lib liberal
libdems liberal_democrats
libdem liberal_democrat liberal_democrats
ave avenue
rd road
blvd boulevard
nw north_west northwest
ne north_east northeast
sw south_west southwest
se south_east southeast
eu european_union
nato north_atlantic
pm prime_minister
mp member_of_parliament parliament
mps members_of_parliament parliament
ag attorney_general
gp grand_prix doctor
f1 formula_one formula_1
wwi first_world_war world_war_one world_war_i world_war_1
wwii second_world_war world_war_two world_war_ii world_war_2
ww1 first_world_war world_war_one world_war_i world_war_1
ww2 second_world_war world_war_two world_war_ii world_war_2
la los_angeles
dc washington
usaf air_force
raf air_force
nhs health_service
bbc british_broadcasting
fa football_association
al alabama
ak alaska
az arizona
ar arkansas
ca california
co colorado
ct connecticut
fl florida
ga georgia
hi hawaii
ia iowa
id idaho
il illinois
in indiana
ks kansas
ky kentucky
md maryland
ma massachusetts
mass massachusetts
mi michigan
mn minnesota
ms mississippi
mo missouri
nj new_jersey
nm new_mexico
nc north_carolina
nd north_dakota
oh ohio
ok oklahoma
pa pennsylvania
sc south_carolina
sa south_australia south_africa
sd south_dakota
tn tennessee
tx texas
ut utah
va virginia
wa washington western_australia
qld queensland
nsw new_south_wales
vic victoria
tas tasmania
nt northern_territory
wi wisconsin
wv west_virginia
"""

# Football clubs' nicknames and grounds, as key points write them for a club the article names ("the Gunners",
# "at the Etihad"): one line a nickname, then the club's name (several words joined by "_"), or the names of the
# clubs it may be. Grounds of two words where the other word is also needed ("Stamford Bridge") are left out.
_CLUBS = """
gunners arsenal
emirates arsenal
reds liverpool
anfield liverpool
kop liverpool
blues chelsea everton birmingham cardiff manchester_city
toffees everton
goodison everton
spurs tottenham
hotspur tottenham
lilywhites tottenham
hammers west_ham
irons west_ham
magpies newcastle
toon newcastle
baggies west_brom west_bromwich
hawthorns west_brom west_bromwich
canaries norwich
hornets watford
seagulls brighton
cherries bournemouth
eagles crystal_palace
swans swansea
potters stoke
villans aston_villa villa
villains aston_villa villa
citizens manchester_city
etihad manchester_city
trafford manchester_united
devils manchester_united
blades sheffield_united
owls sheffield_wednesday
bhoys celtic
hoops celtic qpr
parkhead celtic
gers rangers
ibrox rangers
barca barcelona
blaugrana barcelona
nou barcelona
juve juventus
bianconeri juventus
galacticos real_madrid
bernabeu real_madrid
rossoneri milan
nerazzurri inter
foxes leicester
clarets burnley
tigers hull
terriers huddersfield
rams derby
royals reading
wolves wolverhampton
boro middlesbrough
saints southampton
cottagers fulham
bees brentford barnet
sarries saracens
red_devils manchester_united
black_cats sunderland
"""

# Abbreviations that are common nouns or units, not names: never flagged when the article lacks them.
COMMON_ABBREVIATIONS = frozenset("""
tv tvs id ids dna ceo ceos cctv pc suv suvs atm atms dvd dvds cd cds gps hiv aids icu er iq ufo ufos vip vips
q&a pr hr lpg mph kph gdp ivf adhd ptsd mri bbq diy faq ok ad ads app apps sms ipo cfo coo gcse gcses ko
a-level a-levels mba phd hq mvp dj djs vs bmi vat asap rip lol omg fyi sos
""".split())

# Titles, generational suffixes, company and club endings, and the "Mount" of a mountain: part of a name, not a
# name of their own ("Liverpool FC" of "Liverpool", "Mount Everest" of "Everest").
TITLES = frozenset("""
mr mrs ms miss dr prof sir dame lord lady rev revd fr gen col capt cpt sgt lt cpl maj gov sen rep pres insp det
supt ch cllr mp pm jr jnr snr sr ii iii iv st co inc ltd plc llc
fc afc mount mt athletic rovers wanderers albion town county
""".split())


def _groups(table: str) -> list[tuple[str, ...]]:
    return [tuple(line.split()) for line in table.strip().splitlines()]


@lru_cache(maxsize=1)
def _place_index() -> dict[str, frozenset[str]]:
    index: dict[str, frozenset[str]] = {}
    for group in _groups(_PLACES):
        members = frozenset(group)
        for word in group:
            index[word] = index.get(word, frozenset()) | members
    return index


def same_place(word: str) -> frozenset[str]:
    """The words (multi-word ones joined by "_") that name the same place or people as ``word``
    (lower case, dots removed; a plural too), empty when it is none of them."""
    index = _place_index()
    for w in (word, word[:-1] if word.endswith("s") else word, word[:-2] if word.endswith("es") else word):
        if w in index:
            return index[w]
    return frozenset()


EXPANSIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    g[0]: tuple(tuple(form.split("_")) for form in g[1:]) for g in _groups(_EXPANSIONS) + _groups(_CLUBS)
}
