"""Write ``scenarios/nederland.toml``: all 342 Dutch gemeenten in the 42 jeugdregio's.

Run from the repository root::

    uv run python scenarios/tools/make_nederland.py

The script is deterministic (no randomness): the same data tables below always give the
same file. Sources and assumptions are documented in ``docs/nederland.md``:

* inhabitants: CBS StatLine 03759NED, population on 1 January 2025 (gemeentelijke
  indeling 2025, 342 gemeenten), as published in the CSV
  ``netherlands/factors/population.csv`` of the public GitHub repository
  ``DennisHedegreen/netherlands-politics-data``;
* region names and codes: CBS gebiedsindeling "jeugdregio" 2024 (JZ01-JZ43, 42 regions,
  no JZ40), read from ``wgs84/jeugdregio_2024.topojson`` in ``cartomap/nl``;
* which gemeente belongs to which jeugdregio, and which jeugdregio to which of the 8
  bovenregionale expertisenetwerken: compiled by hand (see docs/nederland.md for the
  uncertain cases).

Standard library + tomli_w only.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "scenarios" / "nederland.toml"

# --------------------------------------------------------------------------------------------
# Assumptions (documented in docs/nederland.md)
# --------------------------------------------------------------------------------------------
YOUTH_SHARE = 0.25                 # youth < 23 per inhabitant (~4.5M of ~18.0M)
YOUTH_PER_AANBIEDER = 25_000       # one generated aanbieder per 25,000 youth < 23 ...
MIN_AANBIEDERS = 4                 # ... but at least four per jeugdregio
PORTFOLIO_OVERLAP = 0.3
EXPERTTEAM_HOURS_PER_200K_YOUTH = 24.0  # documented assumption ([RUG 2021] gives no weekly hours), per 200,000 youth
CBS_TOTAL_2025 = 18_044_027        # CBS: population of the Netherlands on 1 January 2025

# --------------------------------------------------------------------------------------------
# Gemeenten: CBS code; CBS name; inhabitants on 1 January 2025 (CBS StatLine 03759NED)
# --------------------------------------------------------------------------------------------
GEMEENTEN_CSV = """\
0014;Groningen;244441
0034;Almere;229574
0037;Stadskanaal;32038
0047;Veendam;27687
0050;Zeewolde;24291
0059;Achtkarspelen;28200
0060;Ameland;3800
0072;Harlingen;16210
0074;Heerenveen;51863
0080;Leeuwarden;129973
0085;Ooststellingwerf;25925
0086;Opsterland;30012
0088;Schiermonnikoog;971
0090;Smallingerland;57084
0093;Terschelling;4923
0096;Vlieland;1217
0098;Weststellingwerf;26596
0106;Assen;70392
0109;Coevorden;35860
0114;Emmen;109678
0118;Hoogeveen;56906
0119;Meppel;36271
0141;Almelo;74776
0147;Borne;24741
0148;Dalfsen;30047
0150;Deventer;104301
0153;Enschede;162317
0158;Haaksbergen;24225
0160;Hardenberg;63415
0163;Hellendoorn;36213
0164;Hengelo (O.);83655
0166;Kampen;56547
0168;Losser;23469
0171;Noordoostpolder;50788
0173;Oldenzaal;32021
0175;Ommen;19249
0177;Raalte;38623
0180;Staphorst;17968
0183;Tubbergen;21507
0184;Urk;22173
0189;Wierden;25342
0193;Zwolle;133810
0197;Aalten;27466
0200;Apeldoorn;168551
0202;Arnhem;169364
0203;Barneveld;63152
0209;Beuningen;26749
0213;Brummen;21394
0214;Buren;27978
0216;Culemborg;30281
0221;Doesburg;11125
0222;Doetinchem;60049
0225;Druten;19748
0226;Duiven;24942
0228;Ede;124214
0230;Elburg;23903
0232;Epe;33469
0233;Ermelo;28131
0243;Harderwijk;50042
0244;Hattem;12745
0246;Heerde;19305
0252;Heumen;16861
0262;Lochem;34316
0263;Maasdriel;26289
0267;Nijkerk;45720
0268;Nijmegen;189007
0269;Oldebroek;24417
0273;Putten;24953
0274;Renkum;31490
0275;Rheden;43782
0277;Rozendaal;1836
0279;Scherpenzeel;10539
0281;Tiel;42575
0285;Voorst;25567
0289;Wageningen;42790
0293;Westervoort;15205
0294;Winterswijk;29232
0296;Wijchen;41836
0297;Zaltbommel;30412
0299;Zevenaar;45215
0301;Zutphen;49028
0302;Nunspeet;29393
0303;Dronten;44856
0307;Amersfoort;163298
0308;Baarn;25184
0310;De Bilt;43792
0312;Bunnik;16279
0313;Bunschoten;22684
0317;Eemnes;9927
0321;Houten;50945
0327;Leusden;31911
0331;Lopik;14800
0335;Montfoort;13772
0339;Renswoude;5782
0340;Rhenen;20392
0342;Soest;47999
0344;Utrecht;376757
0345;Veenendaal;70352
0351;Woudenberg;14760
0352;Wijk bij Duurstede;23831
0353;IJsselstein;33339
0355;Zeist;66671
0356;Nieuwegein;66788
0358;Aalsmeer;33250
0361;Alkmaar;112896
0362;Amstelveen;95822
0363;Amsterdam;934526
0373;Bergen (NH.);29722
0375;Beverwijk;43040
0376;Blaricum;12947
0377;Bloemendaal;23592
0383;Castricum;36618
0384;Diemen;33228
0385;Edam-Volendam;37140
0388;Enkhuizen;18847
0392;Haarlem;168743
0394;Haarlemmermeer;165255
0396;Heemskerk;39380
0397;Heemstede;27638
0399;Heiloo;24341
0400;Den Helder;56662
0402;Hilversum;94393
0405;Hoorn;76036
0406;Huizen;41196
0415;Landsmeer;11745
0417;Laren (NH.);11474
0420;Medemblik;45934
0431;Oostzaan;9733
0432;Opmeer;12491
0437;Ouder-Amstel;14532
0439;Purmerend;95912
0441;Schagen;48378
0448;Texel;13846
0450;Uitgeest;13427
0451;Uithoorn;32115
0453;Velsen;70026
0473;Zandvoort;17374
0479;Zaanstad;162828
0482;Alblasserdam;20242
0484;Alphen aan den Rijn;115773
0489;Barendrecht;48550
0498;Drechterland;20476
0502;Capelle aan den IJssel;68624
0503;Delft;110173
0505;Dordrecht;122796
0512;Gorinchem;38842
0513;Gouda;76514
0518;'s-Gravenhage;568945
0523;Hardinxveld-Giessendam;19123
0531;Hendrik-Ido-Ambacht;32859
0532;Stede Broec;22253
0534;Hillegom;22786
0537;Katwijk;67089
0542;Krimpen aan den IJssel;29793
0546;Leiden;130638
0547;Leiderdorp;27751
0553;Lisse;23582
0556;Maassluis;36436
0569;Nieuwkoop;29521
0575;Noordwijk;45929
0579;Oegstgeest;26058
0589;Oudewater;10355
0590;Papendrecht;32299
0597;Ridderkerk;47999
0599;Rotterdam;672960
0603;Rijswijk (ZH.);60717
0606;Schiedam;82232
0610;Sliedrecht;26601
0613;Albrandswaard;26707
0622;Vlaardingen;77260
0626;Voorschoten;25900
0627;Waddinxveen;35031
0629;Wassenaar;27525
0632;Woerden;53976
0637;Zoetermeer;129862
0638;Zoeterwoude;10141
0642;Zwijndrecht;44669
0654;Borsele;23125
0664;Goes;40120
0668;West Maas en Waal;20594
0677;Hulst;27378
0678;Kapelle;13012
0687;Middelburg (Z.);50152
0703;Reimerswaal;23335
0715;Terneuzen;55653
0716;Tholen;26942
0717;Veere;21945
0718;Vlissingen;45755
0736;De Ronde Venen;45921
0737;Tytsjerksteradiel;32821
0743;Asten;17385
0744;Baarle-Nassau;7205
0748;Bergen op Zoom;70194
0753;Best;31652
0755;Boekel;11465
0757;Boxtel;34241
0758;Breda;188779
0762;Deurne;33387
0765;Pekela;12459
0766;Dongen;27495
0770;Eersel;20389
0772;Eindhoven;249035
0777;Etten-Leur;45457
0779;Geertruidenberg;21944
0784;Gilze en Rijen;28531
0785;Goirle;24468
0794;Helmond;96551
0796;'s-Hertogenbosch;161530
0797;Heusden;46365
0798;Hilvarenbeek;16149
0809;Loon op Zand;24151
0820;Nuenen, Gerwen en Nederwetten;24290
0823;Oirschot;19536
0824;Oisterwijk;33108
0826;Oosterhout;58380
0828;Oss;95239
0840;Rucphen;23995
0845;Sint-Michielsgestel;30176
0847;Someren;20200
0848;Son en Breugel;18131
0851;Steenbergen;24567
0852;Waterland;17556
0855;Tilburg;230357
0858;Valkenswaard;31955
0861;Veldhoven;47601
0865;Vught;33010
0866;Waalre;17898
0867;Waalwijk;51241
0873;Woensdrecht;22194
0879;Zundert;22809
0880;Wormerland;16421
0882;Landgraaf;36839
0888;Beek (L.);16251
0889;Beesel;13524
0893;Bergen (L.);13062
0899;Brunssum;27534
0907;Gennep;17785
0917;Heerlen;87522
0928;Kerkrade;45490
0935;Maastricht;125563
0938;Meerssen;18460
0944;Mook en Middelaar;8102
0946;Nederweert;17512
0957;Roermond;61210
0965;Simpelveld;10270
0971;Stein (L.);24653
0981;Vaals;10007
0983;Venlo;103984
0984;Venray;44807
0986;Voerendaal;12583
0988;Weert;51355
0994;Valkenburg aan de Geul;16464
0995;Lelystad;84713
1507;Horst aan de Maas;44242
1509;Oude IJsselstreek;39499
1525;Teylingen;38411
1581;Utrechtse Heuvelrug;50945
1586;Oost Gelre;30048
1598;Koggenland;23821
1621;Lansingerland;66064
1640;Leudal;36108
1641;Maasgouw;24502
1652;Gemert-Bakel;31541
1655;Halderberge;31347
1658;Heeze-Leende;17075
1659;Laarbeek;23324
1667;Reusel-De Mierden;13653
1669;Roerdalen;20836
1674;Roosendaal;77721
1676;Schouwen-Duiveland;34412
1680;Aa en Hunze;25935
1681;Borger-Odoorn;26049
1690;De Wolden;24672
1695;Noord-Beveland;8046
1696;Wijdemeren;24670
1699;Noordenveld;31751
1700;Twenterand;34113
1701;Westerveld;19983
1705;Lingewaard;47684
1706;Cranendonck;21665
1708;Steenwijkerland;45716
1709;Moerdijk;38273
1711;Echt-Susteren;32269
1714;Sluis;23094
1719;Drimmelen;28295
1721;Bernheze;32606
1723;Alphen-Chaam;10539
1724;Bergeijk;19263
1728;Bladel;21006
1729;Gulpen-Wittem;14017
1730;Tynaarlo;35011
1731;Midden-Drenthe;34021
1734;Overbetuwe;48945
1735;Hof van Twente;35660
1740;Neder-Betuwe;25781
1742;Rijssen-Holten;38836
1771;Geldrop-Mierlo;40754
1773;Olst-Wijhe;19003
1774;Dinkelland;26728
1783;Westland;116916
1842;Midden-Delfland;19423
1859;Berkelland;43917
1876;Bronckhorst;36012
1883;Sittard-Geleen;92491
1884;Kaag en Braassem;29316
1891;Dantumadiel;19137
1892;Zuidplas;48726
1894;Peel en Maas;45881
1895;Oldambt;39586
1896;Zwartewaterland;23507
1900;Súdwest-Fryslân;90534
1901;Bodegraven-Reeuwijk;37209
1903;Eijsden-Margraten;26181
1904;Stichtse Vecht;66130
1911;Hollands Kroon;49982
1916;Leidschendam-Voorburg;78318
1924;Goeree-Overflakkee;52185
1926;Pijnacker-Nootdorp;58126
1930;Nissewaard;88341
1931;Krimpenerwaard;57798
1940;De Fryske Marren;52235
1942;Gooise Meren;61003
1945;Berg en Dal;35558
1948;Meierijstad;84711
1949;Waadhoeke;46857
1950;Westerwolde;27421
1952;Midden-Groningen;61387
1954;Beekdaelen;35824
1955;Montferland;36996
1959;Altena;58726
1960;West Betuwe;53253
1961;Vijfheerenlanden;62554
1963;Hoeksche Waard;90747
1966;Het Hogeland;48178
1969;Westerkwartier;64841
1970;Noardeast-Fryslân;45864
1978;Molenlanden;45363
1979;Eemsdelta;44795
1980;Dijk en Waard;90747
1982;Land van Cuijk;92817
1991;Maashorst;59671
1992;Voorne aan Zee;74527
"""

# --------------------------------------------------------------------------------------------
# The 8 bovenregionale expertisenetwerken jeugd (VNG: "Nederland telt 8 Bovenregionale
# Expertisenetwerken Jeugd"). Only "Noord" (Groningen, Fryslân, Drenthe; coordinating
# gemeente Groningen) is confirmed by a source; the other seven are a plausible grouping by
# province (docs/nederland.md).
# --------------------------------------------------------------------------------------------
EXPERTTEAMS = [
    "BEN Noord",       # Groningen, Fryslân, Drenthe
    "BEN Oost",        # Overijssel, Gelderland
    "BEN Midden",      # Utrecht (except Food Valley), Flevoland
    "BEN Noordwest",   # Noord-Holland
    "BEN West",        # Zuid-Holland Noord: Holland Rijnland, Haaglanden, Midden-Holland
    "BEN Zuidwest",    # Rijnmond, Zuid-Holland Zuid, Zeeland
    "BEN Zuid",        # Noord-Brabant
    "BEN Zuidoost",    # Limburg
]

# --------------------------------------------------------------------------------------------
# The 42 jeugdregio's: CBS code, CBS name (gebiedsindeling 2024), expertisenetwerk, gemeenten
# (CBS names as in GEMEENTEN_CSV). Membership compiled by hand, see docs/nederland.md.
# --------------------------------------------------------------------------------------------
REGIONS: list[tuple[str, str, str, list[str]]] = [
    ("JZ01", "Groningen", "BEN Noord", [
        "Groningen", "Stadskanaal", "Veendam", "Pekela", "Oldambt", "Westerwolde",
        "Midden-Groningen", "Het Hogeland", "Westerkwartier", "Eemsdelta"]),
    ("JZ02", "Friesland (Fryslân)", "BEN Noord", [
        "Achtkarspelen", "Ameland", "Harlingen", "Heerenveen", "Leeuwarden", "Ooststellingwerf",
        "Opsterland", "Schiermonnikoog", "Smallingerland", "Terschelling", "Vlieland",
        "Weststellingwerf", "Tytsjerksteradiel", "Dantumadiel", "Súdwest-Fryslân",
        "De Fryske Marren", "Waadhoeke", "Noardeast-Fryslân"]),
    ("JZ03", "Kop van Noord-Holland", "BEN Noordwest", [
        "Den Helder", "Hollands Kroon", "Schagen", "Texel"]),
    ("JZ04", "Drenthe", "BEN Noord", [
        "Assen", "Coevorden", "Emmen", "Hoogeveen", "Meppel", "Aa en Hunze", "Borger-Odoorn",
        "De Wolden", "Noordenveld", "Westerveld", "Tynaarlo", "Midden-Drenthe"]),
    ("JZ05", "West Friesland", "BEN Noordwest", [
        "Drechterland", "Enkhuizen", "Hoorn", "Koggenland", "Medemblik", "Opmeer", "Stede Broec"]),
    ("JZ06", "Alkmaar (Noord-Kennemerland)", "BEN Noordwest", [
        "Alkmaar", "Bergen (NH.)", "Castricum", "Dijk en Waard", "Heiloo", "Uitgeest"]),
    ("JZ07", "IJsselland", "BEN Oost", [
        "Zwolle", "Kampen", "Dalfsen", "Hardenberg", "Ommen", "Raalte", "Staphorst",
        "Steenwijkerland", "Zwartewaterland", "Olst-Wijhe"]),
    ("JZ08", "Flevoland", "BEN Midden", [
        "Almere", "Dronten", "Lelystad", "Noordoostpolder", "Urk", "Zeewolde"]),
    ("JZ09", "Zaanstreek-Waterland", "BEN Noordwest", [
        "Zaanstad", "Purmerend", "Edam-Volendam", "Landsmeer", "Oostzaan", "Waterland",
        "Wormerland"]),
    ("JZ10", "IJmond (Midden Kennemerland)", "BEN Noordwest", [
        "Beverwijk", "Heemskerk", "Velsen"]),
    ("JZ11", "Zuid Kennemerland", "BEN Noordwest", [
        "Haarlem", "Bloemendaal", "Heemstede", "Zandvoort"]),
    ("JZ12", "Noord-Veluwe", "BEN Oost", [
        "Elburg", "Ermelo", "Harderwijk", "Hattem", "Heerde", "Nunspeet", "Oldebroek", "Putten"]),
    ("JZ13", "Amsterdam-Amstelland", "BEN Noordwest", [
        "Amsterdam", "Amstelveen", "Aalsmeer", "Diemen", "Ouder-Amstel", "Uithoorn"]),
    ("JZ14", "Twente", "BEN Oost", [
        "Almelo", "Borne", "Enschede", "Haaksbergen", "Hellendoorn", "Hengelo (O.)", "Losser",
        "Oldenzaal", "Tubbergen", "Wierden", "Dinkelland", "Hof van Twente", "Rijssen-Holten",
        "Twenterand"]),
    ("JZ15", "Haarlemmermeer", "BEN Noordwest", [
        "Haarlemmermeer"]),
    ("JZ16", "Gooi en Vechtstreek", "BEN Noordwest", [
        "Blaricum", "Gooise Meren", "Hilversum", "Huizen", "Laren (NH.)", "Wijdemeren"]),
    ("JZ17", "Midden IJssel / Oost Veluwe", "BEN Oost", [
        "Apeldoorn", "Brummen", "Deventer", "Epe", "Lochem", "Voorst", "Zutphen"]),
    ("JZ18", "Holland Rijnland", "BEN West", [
        "Leiden", "Leiderdorp", "Oegstgeest", "Katwijk", "Noordwijk", "Teylingen", "Lisse",
        "Hillegom", "Kaag en Braassem", "Nieuwkoop", "Alphen aan den Rijn", "Voorschoten",
        "Zoeterwoude"]),
    ("JZ19", "Utrecht West", "BEN Midden", [
        "De Ronde Venen", "Montfoort", "Oudewater", "Stichtse Vecht", "Woerden"]),
    ("JZ20", "Eemland", "BEN Midden", [
        "Amersfoort", "Baarn", "Bunschoten", "Eemnes", "Leusden", "Soest", "Woudenberg"]),
    ("JZ21", "Food Valley", "BEN Oost", [
        "Barneveld", "Ede", "Nijkerk", "Renswoude", "Rhenen", "Scherpenzeel", "Veenendaal",
        "Wageningen"]),
    ("JZ22", "Utrecht Stad", "BEN Midden", [
        "Utrecht"]),
    ("JZ23", "Zuidoost Utrecht", "BEN Midden", [
        "Bunnik", "De Bilt", "Utrechtse Heuvelrug", "Wijk bij Duurstede", "Zeist"]),
    ("JZ24", "Haaglanden", "BEN West", [
        "'s-Gravenhage", "Delft", "Leidschendam-Voorburg", "Midden-Delfland",
        "Pijnacker-Nootdorp", "Rijswijk (ZH.)", "Wassenaar", "Westland", "Zoetermeer"]),
    ("JZ25", "Achterhoek", "BEN Oost", [
        "Aalten", "Berkelland", "Bronckhorst", "Doetinchem", "Montferland", "Oost Gelre",
        "Oude IJsselstreek", "Winterswijk"]),
    ("JZ26", "Lekstroom", "BEN Midden", [
        "Houten", "IJsselstein", "Lopik", "Nieuwegein", "Vijfheerenlanden"]),
    ("JZ27", "Midden Holland", "BEN West", [
        "Gouda", "Bodegraven-Reeuwijk", "Krimpenerwaard", "Waddinxveen", "Zuidplas"]),
    ("JZ28", "Centraal Gelderland", "BEN Oost", [
        "Arnhem", "Doesburg", "Duiven", "Lingewaard", "Overbetuwe", "Renkum", "Rheden",
        "Rozendaal", "Westervoort", "Zevenaar"]),
    ("JZ29", "Rijnmond", "BEN Zuidwest", [
        "Rotterdam", "Albrandswaard", "Barendrecht", "Capelle aan den IJssel",
        "Krimpen aan den IJssel", "Lansingerland", "Maassluis", "Nissewaard", "Ridderkerk",
        "Schiedam", "Vlaardingen", "Voorne aan Zee", "Goeree-Overflakkee"]),
    ("JZ30", "Rivierenland", "BEN Oost", [
        "Buren", "Culemborg", "Maasdriel", "Neder-Betuwe", "Tiel", "West Betuwe",
        "West Maas en Waal", "Zaltbommel"]),
    ("JZ31", "Zuid-Holland Zuid", "BEN Zuidwest", [
        "Dordrecht", "Alblasserdam", "Hardinxveld-Giessendam", "Hendrik-Ido-Ambacht",
        "Papendrecht", "Sliedrecht", "Zwijndrecht", "Gorinchem", "Molenlanden",
        "Hoeksche Waard"]),
    ("JZ32", "Rijk van Nijmegen", "BEN Oost", [
        "Nijmegen", "Berg en Dal", "Beuningen", "Druten", "Heumen", "Wijchen"]),
    ("JZ33", "Noordoost Brabant", "BEN Zuid", [
        "'s-Hertogenbosch", "Bernheze", "Boekel", "Boxtel", "Land van Cuijk", "Maashorst",
        "Meierijstad", "Oss", "Sint-Michielsgestel", "Vught"]),
    ("JZ34", "West Brabant Oost", "BEN Zuid", [
        "Breda", "Alphen-Chaam", "Altena", "Baarle-Nassau", "Drimmelen", "Geertruidenberg",
        "Oosterhout"]),
    ("JZ35", "Midden-Brabant (Hart van Brabant)", "BEN Zuid", [
        "Tilburg", "Dongen", "Gilze en Rijen", "Goirle", "Heusden", "Hilvarenbeek",
        "Loon op Zand", "Oisterwijk", "Waalwijk"]),
    ("JZ36", "West Brabant West", "BEN Zuid", [
        "Bergen op Zoom", "Etten-Leur", "Halderberge", "Moerdijk", "Roosendaal", "Rucphen",
        "Steenbergen", "Woensdrecht", "Zundert"]),
    ("JZ37", "Noord-Limburg", "BEN Zuidoost", [
        "Venlo", "Venray", "Horst aan de Maas", "Peel en Maas", "Beesel", "Bergen (L.)",
        "Gennep", "Mook en Middelaar"]),
    ("JZ38", "Zeeland", "BEN Zuidwest", [
        "Borsele", "Goes", "Hulst", "Kapelle", "Middelburg (Z.)", "Reimerswaal", "Terneuzen",
        "Tholen", "Veere", "Vlissingen", "Sluis", "Noord-Beveland", "Schouwen-Duiveland"]),
    ("JZ39", "Zuidoost-Brabant", "BEN Zuid", [
        "Eindhoven", "Helmond", "Asten", "Bergeijk", "Best", "Bladel", "Cranendonck", "Deurne",
        "Eersel", "Geldrop-Mierlo", "Gemert-Bakel", "Heeze-Leende", "Laarbeek",
        "Nuenen, Gerwen en Nederwetten", "Oirschot", "Reusel-De Mierden", "Someren",
        "Son en Breugel", "Valkenswaard", "Veldhoven", "Waalre"]),
    ("JZ41", "Zuid-Limburg", "BEN Zuidoost", [
        "Maastricht", "Eijsden-Margraten", "Gulpen-Wittem", "Meerssen", "Vaals",
        "Valkenburg aan de Geul", "Heerlen", "Kerkrade", "Landgraaf", "Brunssum", "Simpelveld",
        "Voerendaal", "Beekdaelen", "Sittard-Geleen", "Stein (L.)", "Beek (L.)"]),
    ("JZ42", "Midden-Limburg Oost", "BEN Zuidoost", [
        "Roermond", "Roerdalen", "Echt-Susteren", "Maasgouw"]),
    ("JZ43", "Midden-Limburg West", "BEN Zuidoost", [
        "Weert", "Nederweert", "Leudal"]),
]


def load_gemeenten() -> dict[str, int]:
    """CBS name -> inhabitants on 1 January 2025."""
    inhabitants: dict[str, int] = {}
    for line in GEMEENTEN_CSV.strip().splitlines():
        code, name, count = line.split(";")
        assert len(code) == 4 and code.isdigit(), line
        assert name not in inhabitants, f"duplicate gemeente {name}"
        inhabitants[name] = int(count)
    return inhabitants


def youth(inhabitants: int) -> float:
    return YOUTH_SHARE * inhabitants


def build() -> dict:
    inhabitants = load_gemeenten()
    assigned = [g for _, _, _, members in REGIONS for g in members]

    # consistency checks: every gemeente in exactly one jeugdregio, totals as published
    unknown = sorted(set(assigned) - set(inhabitants))
    missing = sorted(set(inhabitants) - set(assigned))
    twice = sorted({g for g in assigned if assigned.count(g) > 1})
    if unknown or missing or twice:
        sys.exit(f"membership error: unknown={unknown} missing={missing} twice={twice}")
    assert len(inhabitants) == 342, len(inhabitants)
    assert len(REGIONS) == 42 and len({r[0] for r in REGIONS}) == 42
    assert {r[2] for r in REGIONS} == set(EXPERTTEAMS) and len(EXPERTTEAMS) == 8
    total = sum(inhabitants.values())
    assert total == CBS_TOTAL_2025, f"sum {total} != CBS total {CBS_TOTAL_2025}"

    regions = []
    team_youth = dict.fromkeys(EXPERTTEAMS, 0.0)
    for _code, name, team, members in REGIONS:
        gemeenten = sorted(members, key=lambda g: (-inhabitants[g], g))
        region_youth = sum(youth(inhabitants[g]) for g in gemeenten)
        team_youth[team] += region_youth
        regions.append({
            "name": name,
            "expertteam": team,
            "n_generated_aanbieders": max(MIN_AANBIEDERS, round(region_youth / YOUTH_PER_AANBIEDER)),
            "portfolio_overlap": PORTFOLIO_OVERLAP,
            "gemeenten": [{"name": g, "inhabitants": inhabitants[g]} for g in gemeenten],
        })
    expertteams = [
        {"name": team,
         "hours_per_week": round(EXPERTTEAM_HOURS_PER_200K_YOUTH * team_youth[team] / 200_000)}
        for team in EXPERTTEAMS
    ]
    return {
        "name": "nederland",
        "description": ("National: all 342 gemeenten (CBS, 1 January 2025) in the 42 jeugdregio's, "
                        "with 8 bovenregionale expertisenetwerken"),
        "seed": 42,
        "run": {"years": 10, "warmup_years": 1},
        "network": {"regions": regions, "expertteams": expertteams},
    }


def render(scenario: dict) -> str:
    """TOML with one [[network.regions]] block per region and inline gemeenten arrays."""
    inhabitants = sum(g["inhabitants"] for r in scenario["network"]["regions"] for g in r["gemeenten"])
    header = [
        "# Generated by scenarios/tools/make_nederland.py -- do not edit by hand; see docs/nederland.md.",
        "# Inhabitants: CBS StatLine 03759NED, 1 January 2025 (342 gemeenten, "
        f"{inhabitants:,} inhabitants).",
        "# Jeugdregio's: CBS gebiedsindeling 2024 (42 regions); membership and the 8 bovenregionale",
        "# expertisenetwerken compiled by hand (docs/nederland.md lists the uncertain cases).",
        "# Aanbieders per region: max(4, youth < 23 / 25,000), youth = 25% of inhabitants.",
        "# Expertteam hours: 24 hours/week per 200,000 youth < 23 served.",
        "",
    ]
    top = {k: scenario[k] for k in ("name", "description", "seed")}
    parts = ["\n".join(header), tomli_w.dumps(top), "\n", tomli_w.dumps({"run": scenario["run"]})]
    for team in scenario["network"]["expertteams"]:
        parts += ["\n[[network.expertteams]]\n", tomli_w.dumps(team)]
    for region in scenario["network"]["regions"]:
        parts += ["\n[[network.regions]]\n", tomli_w.dumps(region)]
    return "".join(parts)


def main() -> None:
    scenario = build()
    text = render(scenario)
    if tomllib.loads(text) != scenario:  # the hand-made layout must parse back to the same data
        sys.exit("rendered TOML does not round-trip")
    OUT.write_text(text, encoding="utf-8")
    regions = scenario["network"]["regions"]
    n_gem = sum(len(r["gemeenten"]) for r in regions)
    total = sum(g["inhabitants"] for r in regions for g in r["gemeenten"])
    n_aanb = sum(r["n_generated_aanbieders"] for r in regions)
    hours = sum(t["hours_per_week"] for t in scenario["network"]["expertteams"])
    print(f"wrote {OUT.relative_to(ROOT)}: {len(regions)} regions, {n_gem} gemeenten, "
          f"{total:,} inhabitants, {YOUTH_SHARE * total:,.0f} youth < 23, "
          f"{n_aanb} aanbieders, {len(scenario['network']['expertteams'])} expertteams ({hours:g} h/week)")


if __name__ == "__main__":
    main()
