"""Closed word lists the request parser relies on: services, genres, moods, cue words.

Names of artists, albums and tracks are open vocabulary and never listed here;
only words whose set is small and stable are. The genre list follows the ID3
genre table (what tags in a household library use) plus common modern names.
"""

from __future__ import annotations

import re

__all__ = [
    "GENRES", "ITEM_WORDS", "MOODS", "SERVICES", "SORT_PATTERN", "TITLE_WORDS", "alternation",
]

#: Streaming services people name in requests; value = canonical name.
SERVICES = {
    "spotify": "spotify", "youtube": "youtube", "youtube music": "youtube", "you tube": "youtube",
    "itunes": "itunes", "i tunes": "itunes", "apple music": "apple music",
    "deezer": "deezer", "pandora": "pandora", "tidal": "tidal", "soundcloud": "soundcloud",
    "sound cloud": "soundcloud", "google music": "google music",
    "google play music": "google music", "google play": "google music",
    "amazon music": "amazon music", "amazon": "amazon music", "lastfm": "lastfm",
    "last fm": "lastfm", "last.fm": "lastfm", "iheart": "iheart", "iheartradio": "iheart",
    "iheart radio": "iheart", "i heart radio": "iheart", "i heart": "iheart",
    "slacker": "slacker", "zvooq": "zvooq", "netflix": "netflix", "vimeo": "vimeo",
    "groove shark": "grooveshark", "grooveshark": "grooveshark", "napster": "napster",
    "bandcamp": "bandcamp", "band camp": "bandcamp", "qobuz": "qobuz", "plex": "plex",
}

_ID3_GENRES = """
blues, classic rock, country, dance, disco, funk, grunge, hip-hop, hip hop, jazz, metal, new age,
oldies, pop, r&b, r and b, rnb, rap, reggae, rock, techno, industrial, alternative, ska,
death metal, pranks, soundtrack, euro-techno, ambient, trip-hop, trip hop, vocal, jazz+funk,
jazz funk, fusion, trance, classical, instrumental, acid, house, game, sound clip, gospel, noise,
alt rock, alternative rock, bass, soul, punk, space, meditative, instrumental pop,
instrumental rock, ethnic, gothic, darkwave, techno-industrial, electronic, electronica,
pop-folk, pop folk, eurodance, dream, southern rock, comedy, cult, gangsta rap, gangsta, top 40,
christian rap, pop/funk, jungle, native american, native us, cabaret, new wave, psychedelic,
psychadelic, rave, showtunes, show tunes, lo-fi, lofi, lo fi, tribal, acid punk, acid jazz,
polka, retro, musical, rock & roll, rock and roll, rock n roll, hard rock, folk, folk-rock,
folk rock, national folk, swing, fast fusion, fast-fusion, bebop, bebob, be bop, latin, revival,
celtic, bluegrass, avantgarde, avant-garde, avant garde, gothic rock, progressive rock,
prog rock, psychedelic rock, psychadelic rock, symphonic rock, slow rock, big band, chorus,
easy listening, acoustic, humour, humor, speech, chanson, opera, chamber music, sonata,
symphony, booty bass, primus, slow jam, club, tango, samba, folklore, power ballad,
rhythmic soul, freestyle, duet, punk rock, drum solo, a cappella, acapella, a capella,
euro-house, dance hall, dancehall, goa, drum & bass, drum and bass, drum n bass, club-house,
hardcore, terror, indie, britpop, brit pop, afro-punk, polsk punk, beat, christian gangsta rap,
heavy metal, black metal, crossover, contemporary christian, christian rock, merengue, salsa,
thrash metal, anime, jpop, j-pop, kpop, k-pop, synthpop, synth pop, synth-pop, abstract,
art rock, baroque, bhangra, big beat, breakbeat, chillout, chill out, downtempo, dub, ebm,
eclectic, electro, electroclash, emo, experimental, garage, global, idm, illbient,
industro-goth, jam band, krautrock, leftfield, lounge, math rock, new romantic, nu-breakz,
post-punk, post punk, post-rock, post rock, psytrance, shoegaze, space rock, trop rock,
world music, world, neoclassical, neue deutsche welle, indie rock, g-funk, dubstep,
garage rock, psybient, art punk, fun-punk, punk-rock, post-punk revival, freak folk,
hardcore hip hop, louisiana blues, new wave of american heavy metal, kacapi suling,
rumba africana, rumba, bossa nova, flamenco, fado, afrobeat, afrobeats, grime, drill, trap,
edm, dnb, edm, motown, doo wop, doo-wop, ragtime, dixieland, zydeco, cajun, mariachi,
reggaeton, cumbia, bachata, kizomba, zouk, highlife, soca, calypso, americana, singer-songwriter,
nu metal, metalcore, power metal, doom metal, speed metal, glam rock, glam metal, stoner rock,
surf rock, surf, rockabilly, blues rock, soft rock, yacht rock, new jack swing, neo soul,
neo-soul, gregorian chant, choral, baroque pop, chamber pop, dream pop, indie pop, indie folk,
electropop, country rock, alt country, alt-country, bluegrass, western swing, honky tonk,
smooth jazz, free jazz, cool jazz, hard bop, bop, big band jazz, swing jazz, klezmer,
celtic punk, folk punk, ska punk, pop punk, pop-punk, hardcore punk, new age music, lullabies,
christmas, christmas music, satire, porn groove, carols, children's music, kids music,
film score, score, video game
"""

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


GENRES = frozenset(g.strip() for g in re.split(r"[,\n]", _ID3_GENRES) if g.strip())

#: Moods and activities ("something relaxing", "music for a party").
MOODS = _words("""
chill chilled chilly relaxing relaxed relax calm calming mellow happy sad melancholy melancholic
upbeat energetic romantic party partying workout exercise running focus focused study studying
sleepy sleep sleeping background dreamy angry uplifting peaceful cheerful gloomy moody soothing
groovy dinner
cooking driving road trip rainy day sunny morning evening night late night feel good
feel-good fun funny quiet loud slow fast dance dancing love sexy summer summery wintry
quieter softer calmer mellower slower louder livelier faster
reading homework meditation meditating yoga cleaning gym kids children
""")

#: Words naming the kind of thing asked for ("the song", "an album"); cues, never names.
ITEM_WORDS = _words("""
song songs track tracks tune tunes album albums record records ep eps lp lps single singles
ballad ballads soundtrack soundtracks concerto concertos symphony symphonies chant chants
melody melodies movement movements theme themes music stuff hits hit number numbers piece
pieces recording recordings opus composition compositions concert concerts
""") | {"sound track", "sound tracks", "theme song", "theme tune"}

#: Words that make a bare span look like a title rather than a person's name.
TITLE_WORDS = _words("""
the of on in to and a an my your our his her their me you i we it is are was be no not all
this that what when where why how love night day down up out from with for at by into over
under time life world heart dream girl boy baby come go get let say never ever more just
""")

_NUM = r"(?:\d+|five|ten|fifteen|twenty|twenty five|thirty|forty|fifty|hundred|one hundred)"
#: Ranking cues ("the newest", "top-20", "most popular"): carrier words, not names.
SORT_PATTERN = (
    rf"(?:top[\s-]+{_NUM}|top[\s-]*charting|best[\s-]+selling|top|newest|latest|new|last|greatest|best|"
    r"most[\s-]+popular|most[\s-]+played|popular|good|biggest|recent|most[\s-]+recent|"
    r"classic|famous|well[\s-]+known)"
)


def alternation(words: frozenset[str] | dict[str, str]) -> str:
    """A regex alternation of the phrases, longest first, each with flexible spaces."""
    phrases = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"[\s-]+") for p in phrases)
