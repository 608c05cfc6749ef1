/**
 * Per-language knowledge for the rule-based segmenter: which dotted abbreviations end a sentence and
 * which do not, the function words that typically open a sentence, the conjunctions that open a clause
 * (where an over-long sentence is best re-split), and whether a number followed by a full stop is an
 * ordinal ("am 3. Oktober"). General linguistic facts of each language, not lists mined from a test set.
 *
 * Words are written without their full stop, space-separated. Abbreviations with inner dots keep them
 * ("e.g", "z.B", "т.е").
 */

interface LexiconSource {
  /** Precede a name (titles, "St. Louis"): never end a sentence. */
  titles?: string;
  /** Practically never end a sentence ("e.g.", "vs.", "bzw."). */
  inner?: string;
  /** End a sentence unless a number follows ("No. 5", "p. 23", "Jan. 5"). */
  beforeNumber?: string;
  /** May end a sentence ("etc.", "Inc.", "2019 г."): a boundary only when a sentence starter follows. */
  final?: string;
  /** Capitalised function words that commonly open a sentence. */
  starters?: string;
  /** Words that open a new clause after a comma. */
  conjunctions?: string;
  /** A one- or two-digit number with a full stop is an ordinal ("3. Oktober", "1. FC"). */
  dottedOrdinals?: boolean;
}

const ENGLISH: LexiconSource = {
  titles:
    "Mr Mrs Ms Mx Messrs Mmes Dr Drs Prof Profs Rev Revd Hon St Sts Ste Sen Sens Rep Reps Gov Govs Gen Lt Col Maj Capt Cpt Sgt Cpl Pvt Adm Cmdr Cdr Brig Supt Insp Det Fr Pres Amb Atty Mt Ft Msgr Sr Jr",
  inner:
    "e.g i.e cf vs v viz approx appt apt ca cca esp incl excl dept est al Ph M.A B.A M.Sc B.Sc Ph.D Lt.-Col",
  beforeNumber:
    "No Nos no nos Nr nr p pp vol Vol vols ch Ch chap fig Fig figs sec Sec art Art para ed eds Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Rd Ave Blvd",
  final: "etc Inc Ltd Co Corp Bros LLC Plc plc Ave Blvd Rd Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec",
  starters:
    "The A An He She It They We I You This That These Those There Here But And Or So Yet In On At For As After Before When While If Although Though Since Because His Her Its Their Our My Your Some Many Most Several Both All Each Every No Not Now Then Today Yesterday Meanwhile However Also According Last Earlier Later What Who How Why Where Which Other Such Even Still Only Instead Despite During Under With Without From By To Officials Police",
  conjunctions:
    "and but or so yet because while whereas although though which who whom whose where when since unless until if as after before nor then including",
};

const SOURCES: Record<string, LexiconSource> = {
  eng: ENGLISH,
  fra: {
    titles: "M MM Mme Mmes Mlle Mlles Mgr Me Pr Dr St Ste",
    inner: "cf env p.ex ex c.-à-d av apr J.-C vol éd",
    beforeNumber: "n no No p pp art chap janv févr avr juil sept oct nov déc",
    final: "etc janv févr avr juil sept oct nov déc",
    starters:
      "Le La Les L'un Il Elle Ils Elles Nous Vous On Ce Cet Cette Ces C'est Mais Et Ou Donc Car En Dans Selon Pour Un Une Des Depuis Après Avant Lorsque Quand Si Au Aux Du De Son Sa Ses Leur Leurs Cela Ceci Il Puis Alors Enfin Pourtant Cependant Toutefois Par Sur Sous Avec Sans Lors Aujourd'hui Hier",
    conjunctions: "et mais ou donc car qui que dont où lorsque quand puisque tandis alors bien si comme",
  },
  deu: {
    titles: "Hr Hrn Fr Frl Dr Prof Dipl Ing Dipl.-Ing St Mag",
    inner:
      "z.B bzw ca evtl ggf inkl insb vgl sog u.a d.h z.T u.U o.ä s.o s.u bspw zzgl abzgl Abs Bd Hg hrsg geb gest Jh Jhd Mio Mrd Tel u.ä m.E i.d.R",
    beforeNumber: "Nr Art S Abs Kap Bd Jan Feb Apr Aug Sept Okt Nov Dez",
    final: "usw etc Str Jan Feb Apr Aug Sept Okt Nov Dez",
    starters:
      "Der Die Das Den Dem Des Er Sie Es Ich Wir Ihr Man Ein Eine Einen Im In Am Auf Aber Und Doch Dann Nach Vor Mit Bei Als Wenn Auch Dies Diese Dieser Dieses Dabei Damit Deshalb Daher So Zudem Außerdem Laut Seit Für Von Vom Zum Zur Nun Jetzt Noch Nicht Es Sein Seine Ihre Ihr Unter Über Trotz Wie Was Wer Warum Wo Heute Gestern Bisher Zuvor Allerdings Jedoch Dagegen Darüber Dazu Denn Obwohl Während Beim",
    conjunctions:
      "und aber oder denn sondern doch weil dass da wenn als obwohl während damit sodass bevor nachdem der die das den dem deren dessen wo wie was",
    dottedOrdinals: true,
  },
  spa: {
    titles:
      "Sr Sra Srta Sres Sras Dr Dra Lic Ing Arq D Dña Ud Uds Vd Vds Prof Gral Cnel Tte Sto Sta Excmo Excma EE",
    inner: "aprox ej p.ej vs Av Avda",
    beforeNumber: "núm pág págs p vol cap art No",
    final: "etc EE.UU UU",
    starters:
      "El La Los Las Él Ella Ellos Ellas Este Esta Estos Estas Eso Esto Pero Y En Un Una Unos Por Para Con Según Sin Tras Desde Cuando Si Además También No Hay Se Lo Al Del Su Sus Sin Aunque Como Mientras Después Antes Hoy Ayer Entre Durante Sobre Otro Otra Ya",
    conjunctions: "y e pero o u porque que aunque mientras cuando donde sino pues como si quien cual",
  },
  ita: {
    titles: "Sig Sigg Sig.ra Dott Dott.ssa Prof Avv Ing Arch Geom On Sen Mons Sant",
    inner: "ca cfr es ecc",
    beforeNumber: "pag pp n art cap",
    final: "ecc etc",
    starters:
      "Il Lo La I Gli Le L'uomo Un Una Uno Questo Questa Questi Queste Ma E In Per Con Secondo Non Si Da Dal Della Del Nel Nella Al Alla Anche Dopo Prima Quando Se Oggi Ieri Così Tuttavia Inoltre Però",
    conjunctions: "e ed ma o oppure perché che mentre quando dove sebbene anche se cui",
  },
  por: {
    titles: "Sr Sra Srta Dr Dra Prof Profa Eng Exmo Exma Sto Sta",
    inner: "p.ex ex aprox",
    beforeNumber: "pág p n nº art cap",
    final: "etc",
    starters:
      "O A Os As Ele Ela Eles Elas Este Esta Estes Isso Isto Mas E Em No Na Nos Nas Um Uma Para Com Segundo Não Se De Do Da Por Depois Antes Quando Também Hoje Ontem Ainda Entretanto Contudo",
    conjunctions: "e mas ou porque que embora enquanto quando onde pois como se",
  },
  nld: {
    titles: "dhr Dhr mevr Mevr mr Mr dr Dr prof Prof ir Ir ing Ing drs Drs St",
    inner: "bijv bv d.w.z o.a m.b.t ca nl resp i.p.v t.o.v",
    beforeNumber: "nr blz p art jan feb mrt apr aug sept okt nov dec",
    final: "enz etc",
    starters:
      "De Het Een Hij Zij Ze Wij We Ik Dit Dat Deze Die Maar En In Op Volgens Er Ook Toen Na Voor Met Bij Als Om Uit Zo Nu Daarna Daarom Vandaag Gisteren Niet Hun Zijn Haar",
    conjunctions: "en maar of want omdat dat die dat wanneer terwijl hoewel waar",
  },
  rus: {
    titles: "г гг ул им проф акад д пос просп пр тов св",
    inner: "т.е т.к т.н т.ч ср напр см н.э до н.э",
    beforeNumber: "стр с рис № ст п ч",
    final: "г гг в вв др т.д т.п руб тыс млн млрд коп",
    starters:
      "В Во На Он Она Оно Они Мы Я Вы Это Этот Эта Эти Но И А По Как Также При После До Для С Со Из У К О Об Однако Кроме Тем Так Все Вот Там Здесь Сейчас Теперь Его Ее Её Их Кто Что Когда Если Хотя Поэтому Согласно Ранее Позже Затем Сегодня Вчера Не Ни Между Среди Под Над Уже Еще Ещё Лишь Только",
    conjunctions: "и но а или что который которая которое которые когда потому чтобы если хотя где поскольку",
  },
  ukr: {
    titles: "м вул ім проф акад св д",
    inner: "т.зв напр див тобто",
    beforeNumber: "с ст п №",
    final: "р рр ін тис млн млрд грн",
    starters:
      "В У На Він Вона Воно Вони Ми Я Ви Це Цей Ця Ці Але І Й А По Як Також При Після До Для З Із Зі Від Однак Крім Так Всі Там Тут Зараз Його Її Їх Хто Що Коли Якщо Хоча Тому Згідно Раніше Пізніше Потім Сьогодні Вчора Не Ні Між Серед Під Над Вже Ще Лише Тільки",
    conjunctions: "і й та але а або що який яка яке які коли тому щоб якщо хоча де",
  },
  pol: {
    titles: "dr prof mgr inż ks św p Dr Prof",
    inner: "np m.in tj tzw ok wg zob godz ul pkt ust ang łac niem fr franc",
    beforeNumber: "nr art s str",
    final: "r w tys mln mld zł proc itd itp in",
    starters:
      "W We Na Po Jak To Ten Ta Te On Ona Oni My Ja Nie Ale I A Z Do Od Dla Przez Jednak Według Także Również Już Jest Są Było Był Była Teraz Dziś Wczoraj Jego Jej Ich Co Kto Gdy Kiedy Jeśli Choć Chociaż Dlatego Wtedy Potem Przed Podczas",
    conjunctions: "i a ale lub albo czy że który która które bo ponieważ gdy kiedy jeśli choć chociaż gdzie",
    dottedOrdinals: true,
  },
  ces: {
    titles: "p pí Ing Mgr MUDr JUDr PhDr RNDr prof doc Bc sv",
    inner: "např tj tzv resp mj popř cca tzn ul nám",
    beforeNumber: "č str s odst",
    final: "atd apod aj tis mil mld Kč",
    starters:
      "V Ve Na To Ten Ta Je Jsou A Ale Podle Po Při Z Do Od Pro Také I Když Jak Už Nyní Dnes Včera Jeho Její Jejich Co Kdo Pokud Protože Proto Tento Tato Toto Podle Mezi Během",
    conjunctions: "a ale nebo že který která které protože když pokud jestliže kde aby",
    dottedOrdinals: true,
  },
  slk: {
    titles: "p pani Ing Mgr MUDr JUDr PhDr RNDr prof doc Bc sv",
    inner: "napr tj tzv resp popr cca tzn ul nám",
    beforeNumber: "č str s ods",
    final: "atď a pod tis mil mld",
    starters:
      "V Vo Na To Ten Táto Je Sú A Ale Podľa Po Pri Z Do Od Pre Tiež Aj Keď Ako Už Teraz Dnes Včera Jeho Jej Ich Čo Kto Ak Pretože Preto Tento Toto Počas",
    conjunctions: "a ale alebo že ktorý ktorá ktoré pretože keď ak kde aby",
    dottedOrdinals: true,
  },
  hrv: {
    titles: "dr prof ing mr sv g gđa gđica",
    inner: "npr tj tzv itd odn",
    beforeNumber: "br str čl",
    final: "itd itsl sl tis mil mlrd kn god",
    starters:
      "U Na To Taj Ta Je Su A Ali Prema Po Pri Iz Do Od Za Također I Kada Kako Već Sada Danas Jučer Njegov Njezin Njihov Što Tko Ako Jer Zato Ovaj Ova Ovo Tijekom Međutim",
    conjunctions: "i a ali ili da koji koja koje jer kada ako gdje iako",
    dottedOrdinals: true,
  },
  slv: {
    titles: "dr prof g ga gdč mag",
    inner: "npr tj t.i oz",
    beforeNumber: "št str čl",
    final: "itd ipd tj",
    starters:
      "V Na To Ta Je So A Ampak Po Pri Iz Do Od Za Tudi In Ko Kot Že Zdaj Danes Včeraj Njegov Njen Njihov Kaj Kdo Če Ker Zato Ta Med Vendar",
    conjunctions: "in a ampak ali da ki ker ko če kjer čeprav",
    dottedOrdinals: true,
  },
  dan: {
    titles: "hr fr dr prof St",
    inner: "bl.a f.eks dvs ca jf evt inkl pga mht ifm m.fl vedr",
    beforeNumber: "nr kl s jan feb mar apr aug sep sept okt nov dec",
    final: "osv mv mfl kr mio mia mrd jan feb mar apr aug sep sept okt nov dec",
    starters:
      "Den Det De Han Hun Vi Jeg Du Men Og I På Efter Ifølge Der Som En Et Hans Hendes Deres Nu Så Da Når Hvis Selvom Derfor Også Til For Med Om Af Fra Under Siden I dag",
    conjunctions: "og men eller for fordi at som der når hvis selvom mens hvor",
    dottedOrdinals: true,
  },
  nor: {
    titles: "hr fr dr prof St",
    inner: "bl.a f.eks dvs ca jf evt inkl pga mht ifm m.fl",
    beforeNumber: "nr kl s jan feb mar apr aug sep sept okt nov des",
    final: "osv mv mfl kr mill mrd jan feb mar apr aug sep sept okt nov des",
    starters:
      "Den Det De Han Hun Vi Jeg Du Men Og I På Etter Ifølge Der Som En Et Ei Hans Hennes Deres Nå Så Da Når Hvis Selv Derfor Også Til For Med Om Av Fra Under Siden",
    conjunctions: "og men eller for fordi at som der når hvis selv om mens hvor",
    dottedOrdinals: true,
  },
  swe: {
    titles: "hr fru dr prof St",
    inner: "bl.a t.ex dvs d.v.s ca jfr resp s.k inkl pga m.m",
    beforeNumber: "nr kl s jan feb mar apr aug sep sept okt nov dec",
    final: "osv mm m.fl kr milj mdr jan feb mar apr aug sep sept okt nov dec",
    starters:
      "Den Det De Han Hon Vi Jag Du Men Och I På Efter Enligt Där Som En Ett Hans Hennes Deras Nu Så Då När Om Därför Också Till För Med Av Från Under Sedan Detta Denna",
    conjunctions: "och men eller för eftersom att som när om medan där fast",
  },
  fin: {
    titles: "tri prof toht",
    inner: "esim ks ns yms n klo v puh",
    beforeNumber: "nro s",
    final: "mm jne ym milj mrd",
    starters:
      "Se He Hän Ne Me Minä Sinä Tämä Tämän Nämä Mutta Ja Vuonna Kun Jos Myös Nyt Sitten Siksi Koska Vaikka Hänen Heidän Sen Niiden Tänään Eilen Lisäksi Kuitenkin",
    conjunctions: "ja mutta tai sillä koska että joka jotka kun jos vaikka missä",
    dottedOrdinals: true,
  },
  est: {
    titles: "hr pr dr prof",
    inner: "nt nn vt lk st",
    beforeNumber: "nr lk",
    final: "jne jt mln mld",
    starters:
      "See Ta Nad Me Mina Sina Need Kuid Ja Aastal Kui Ka Nüüd Siis Seetõttu Sest Kuigi Tema Nende Täna Eile Lisaks Samas",
    conjunctions: "ja aga või sest et mis kes kui kuigi kus",
    dottedOrdinals: true,
  },
  lav: {
    titles: "prof dr",
    inner: "piem t.i t.sk u.c",
    beforeNumber: "nr lpp",
    final: "utt milj mljrd g",
    starters:
      "Tas Tā Viņš Viņa Viņi Mēs Es Šis Šī Bet Un Arī Kad Ja Tagad Tad Tāpēc Jo Lai Gan Pēc Saskaņā Šodien Vakar",
    conjunctions: "un bet vai jo ka kas kurš kura kad ja lai gan kur",
    dottedOrdinals: true,
  },
  lit: {
    titles: "prof dr doc",
    inner: "pvz t.y kt t.t",
    beforeNumber: "nr psl",
    final: "m mln mlrd tūkst proc g",
    starters:
      "Tai Jis Ji Jie Mes Aš Šis Ši Bet Ir Taip Pat Kai Jei Dabar Tada Todėl Nes Nors Po Pagal Šiandien Vakar",
    conjunctions: "ir bet ar nes kad kuris kuri kai jei nors kur",
  },
  hun: {
    titles: "dr Dr prof Prof id ifj özv",
    inner: "pl ill kb ún vö ld",
    beforeNumber: "sz old",
    final: "stb Kft Zrt Rt Bt",
    starters:
      "A Az Egy Ő Ők Mi Én Ez Ezt Azt De És Is Ha Amikor Most Akkor Ezért Mert Bár Után Szerint Ma Tegnap Továbbá Azonban",
    conjunctions: "és de vagy mert hogy aki ami amely amikor ha bár ahol",
    dottedOrdinals: true,
  },
  tur: {
    titles: "Dr Prof Doç Av Alb Yrd Sn Hz Op Yzb",
    inner: "örn bkz vs",
    beforeNumber: "No no s",
    final: "vb vd Ltd Şti",
    starters:
      "Bu Bir O Onlar Biz Ben Şu Ama Ve Da De Eğer Şimdi Sonra Bu nedenle Çünkü Ancak Göre Bugün Dün Ayrıca Hem Her",
    conjunctions: "ve ama veya çünkü ki fakat ancak",
    dottedOrdinals: true,
  },
  ron: {
    titles: "dl dna dlui dnei dr prof ing sf",
    inner: "ex aprox",
    beforeNumber: "nr pag art",
    final: "etc",
    starters:
      "El Ea Ei Ele Noi Eu Acesta Aceasta Acest Această Dar Și În La Pe De Un O Potrivit După Înainte Când Dacă Astăzi Ieri De asemenea Totuși Însă",
    conjunctions: "și dar sau pentru că care când dacă unde deși iar",
  },
  cat: {
    titles: "Sr Sra Srta Dr Dra St Sta",
    inner: "p.ex aprox",
    beforeNumber: "núm pàg p art",
    final: "etc",
    starters:
      "El La Els Les Ell Ella Ells Elles Aquest Aquesta Això Però I En Un Una Per Amb Segons Sense Des Quan Si A més També No Hi Es Avui Ahir",
    conjunctions: "i però o perquè que encara mentre quan on",
  },
  glg: {
    titles: "Sr Sra Srta Dr Dra",
    inner: "aprox ex",
    beforeNumber: "núm páx p art",
    final: "etc",
    starters:
      "O A Os As El Ela Eles Elas Este Esta Isto Pero E En Un Unha Por Para Con Segundo Sen Desde Cando Se Ademais Tamén Non Hoxe Onte",
    conjunctions: "e pero ou porque que aínda mentres cando onde",
  },
  ell: {
    titles: "κ κα Δρ",
    inner: "π.χ δηλ βλ",
    beforeNumber: "αρ σελ",
    final: "κ.λπ κλπ κ.ά εκ δισ χλμ",
    starters:
      "Ο Η Το Οι Τα Τον Την Του Της Αυτό Αυτή Αυτός Αλλά Και Στο Στη Στην Στις Στα Σε Με Για Από Κατά Μετά Πριν Όταν Αν Σήμερα Χθες Επίσης Ωστόσο Όμως Ένας Μια Ένα Δεν",
    conjunctions: "και αλλά ή γιατί επειδή ότι που οποίος οποία όταν αν ενώ όπου",
  },
  bul: {
    titles: "г гр ул проф акад д-р св",
    inner: "т.е напр вж",
    beforeNumber: "с стр №",
    final: "г млн млрд хил лв др т.н",
    starters:
      "В На Той Тя То Те Ние Аз Това Този Тази Тези Но И А По Как Също При След До За С От Според Днес Вчера Не Вече",
    conjunctions: "и но а или че който която което които когато защото ако където",
  },
  srp: {
    titles: "др проф г гђа dr prof g gđa",
    inner: "нпр тј тзв npr tj tzv",
    beforeNumber: "бр стр br str",
    final: "итд итсл хиљ мил млрд itd itsl hilj mil mlrd",
    starters:
      "У На То Тај Та Је Су А Али Према По При Из До Од За Такође И Када Како Већ Сада Данас Јуче U Na To Taj Ta Je Su A Ali Prema Po Pri Iz Do Od Za Takođe I Kada Kako Već Sada Danas Juče",
    conjunctions:
      "и а али или да који која које јер када ако где i a ali ili da koji koja koje jer kada ako gde",
    dottedOrdinals: true,
  },
  mkd: {
    titles: "г ул проф акад д-р св",
    inner: "т.е напр",
    beforeNumber: "бр стр",
    final: "г илј мил млрд ден",
    starters:
      "Во На Тој Таа Тоа Тие Ние Јас Ова Овој Оваа Но И А По Како Исто При По Според Денес Вчера Не Веќе",
    conjunctions: "и но а или дека кој која кое кои кога зашто ако каде",
  },
  ind: {
    titles: "Dr Prof Sdr Sdri Bpk Ibu Jl Kec Kab Hj H Ir Drs Dra",
    inner: "a.n u.p d.a",
    beforeNumber: "No Hal hlm",
    final: "dll dsb dst tsb Tbk Rp",
    starters:
      "Dia Ia Mereka Kami Kita Saya Ini Itu Namun Tetapi Dan Di Pada Menurut Selain Sejak Saat Jika Sekarang Kemudian Oleh Karena Hari Dalam Untuk Sebelumnya Selama",
    conjunctions: "dan tetapi atau karena yang ketika jika meskipun sedangkan",
  },
  vie: {
    titles: "TP Tp TS PGS GS ThS Q P TT BS KS",
    final: "v.v",
    starters: "Ông Bà Anh Chị Họ Chúng Tôi Đây Đó Nhưng Và Trong Theo Khi Nếu Hiện Sau Trước Tuy Vì",
    conjunctions: "và nhưng hoặc vì mà khi nếu",
  },
  tgl: {
    titles: "G Gng Bb Dr Sen Kgg",
    final: "atbp",
    starters: "Ang Ang mga Si Sina Siya Sila Kami Tayo Ako Ito Iyon Ngunit Pero At Sa Ayon Noong Kung Ngayon",
    conjunctions: "at ngunit pero o dahil na kung habang",
  },
  swh: {
    titles: "Bw Bi Dkt Mh Prof Mhe",
    final: "n.k k.m",
    starters:
      "Yeye Wao Sisi Mimi Hii Hiyo Lakini Na Katika Kwa Kulingana Baada Kabla Wakati Kama Sasa Leo Jana Pia",
    conjunctions: "na lakini au kwa kwamba ambaye ambao wakati kama",
  },
  afr: {
    titles: "mnr Mnr mev Mev mej Mej dr Dr prof Prof me Me ds Ds",
    inner: "bv nl d.w.s o.a",
    beforeNumber: "nr bl",
    final: "ens",
    starters:
      "Die Dit Hy Sy Hulle Ons Ek Maar En In Op Volgens Daar Ook Toe Na Voor Met By As Nou Vandag Gister",
    conjunctions: "en maar of want omdat dat wat wie wanneer terwyl hoewel waar",
  },
  isl: {
    titles: "hr dr próf",
    inner: "t.d þ.e o.fl",
    beforeNumber: "nr bls",
    final: "o.s.frv o.fl kr",
    starters: "Það Hann Hún Þeir Þær Við Ég Þetta En Og Í Á Eftir Samkvæmt Þar Sem Nú Þá Þegar Ef Því Einnig",
    conjunctions: "og en eða því að sem þegar ef þó þar",
    dottedOrdinals: true,
  },
  arb: { titles: "د أ م ج" },
  hin: { titles: "डॉ डा प्रो मि श्री श्रीमती सुश्री", inner: "उदा" },
  mar: { titles: "डॉ डा प्रा श्री श्रीमती सौ कु" },
  npi: { titles: "डा डॉ प्रा श्री श्रीमती" },
  ben: { titles: "ড ডা ডঃ প্রফ প্রফেসর মি মিসেস শ্রী" },
  guj: { titles: "ડૉ ડો પ્રો શ્રી શ્રીમતી" },
  pan: { titles: "ਡਾ ਪ੍ਰੋ ਸ੍ਰੀ ਸ਼੍ਰੀ ਸ਼੍ਰੀਮਤੀ" },
  tam: { titles: "திரு திருமதி செல்வி டாக்டர் டா பேரா ரெவ் செயின்ட்" },
  tel: { titles: "డా డాక్టర్ ప్రొ శ్రీ శ్రీమతి" },
  kan: { titles: "ಡಾ ಪ್ರೊ ಶ್ರೀ ಶ್ರೀಮತಿ" },
  mal: { titles: "ഡോ പ്രൊ ശ്രീ ശ്രീമതി" },
  kat: { titles: "წმ ქნ ბ-ნი ქ-ნი პროფ დოქტ", inner: "ე.წ მაგ", final: "ა.შ ძვ.წ" },
};

/** Two-letter and individual-language codes that share a lexicon above. */
const ALIASES: Record<string, string> = {
  en: "eng",
  fr: "fra",
  de: "deu",
  ltz: "deu",
  lb: "deu",
  gsw: "deu",
  es: "spa",
  it: "ita",
  pt: "por",
  nl: "nld",
  ru: "rus",
  uk: "ukr",
  bel: "rus",
  be: "rus",
  pl: "pol",
  cs: "ces",
  sk: "slk",
  hr: "hrv",
  bos: "hrv",
  bs: "hrv",
  sr: "srp",
  sl: "slv",
  da: "dan",
  no: "nor",
  nb: "nor",
  nn: "nor",
  nob: "nor",
  nno: "nor",
  sv: "swe",
  fi: "fin",
  et: "est",
  ekk: "est",
  lv: "lav",
  lvs: "lav",
  lt: "lit",
  hu: "hun",
  tr: "tur",
  ro: "ron",
  ca: "cat",
  gl: "glg",
  el: "ell",
  bg: "bul",
  mk: "mkd",
  id: "ind",
  ms: "ind",
  zsm: "ind",
  msa: "ind",
  vi: "vie",
  tl: "tgl",
  fil: "tgl",
  sw: "swh",
  swa: "swh",
  af: "afr",
  is: "isl",
  fao: "isl",
  ar: "arb",
  ara: "arb",
  ary: "arb",
  arz: "arb",
  apc: "arb",
  ajp: "arb",
  acm: "arb",
  aeb: "arb",
  hi: "hin",
  bn: "ben",
};

export interface Lexicon {
  titles: ReadonlySet<string>;
  inner: ReadonlySet<string>;
  beforeNumber: ReadonlySet<string>;
  final: ReadonlySet<string>;
  starters: ReadonlySet<string>;
  /** Lowercase conjunctions; empty when the language has none listed (then any comma will do). */
  conjunctions: ReadonlySet<string>;
  dottedOrdinals: boolean;
}

function words(list: string | undefined): string[] {
  return list ? list.split(/\s+/).filter(Boolean) : [];
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Lowercase abbreviations also match capitalised at the start of a sentence ("Etc.", "Bzw."). */
function withCapitalised(list: string[]): string[] {
  return list.flatMap((w) => (w === w.toLowerCase() ? [w, capitalise(w)] : [w]));
}

function compile(sources: LexiconSource[]): Lexicon {
  const pick = (key: keyof LexiconSource) => sources.flatMap((s) => words(s[key] as string | undefined));
  return {
    titles: new Set(pick("titles")),
    inner: new Set(withCapitalised(pick("inner"))),
    beforeNumber: new Set(pick("beforeNumber")),
    final: new Set(withCapitalised(pick("final"))),
    starters: new Set(pick("starters")),
    conjunctions: new Set(pick("conjunctions").map((w) => w.toLowerCase())),
    dottedOrdinals: sources.some((s) => s.dottedOrdinals === true),
  };
}

/** "deu_Latn", "de", "de-AT", "deu" -> "deu"; undefined for no language. */
export function lexiconKey(lang: string | undefined): string | undefined {
  if (!lang) return undefined;
  const base = lang.split(/[_-]/)[0]!.toLowerCase();
  return ALIASES[base] ?? base;
}

const cache = new Map<string, Lexicon>();

/**
 * The lexicon for a language: its own lists plus the English ones (English names and abbreviations
 * turn up in every language's news). Without a language, every list together: a guess that errs
 * towards keeping abbreviations inside sentences. Languages without German-style ordinals never get
 * the ordinal rule from the union.
 */
export function lexiconFor(lang: string | undefined): Lexicon {
  const key = lexiconKey(lang) ?? "*";
  let lexicon = cache.get(key);
  if (!lexicon) {
    if (key === "*") {
      lexicon = { ...compile(Object.values(SOURCES)), dottedOrdinals: false };
    } else {
      const own = SOURCES[key];
      lexicon = compile(own && own !== ENGLISH ? [ENGLISH, own] : [ENGLISH]);
      if (own && own !== ENGLISH) {
        // The language's own starters and conjunctions decide; English ones would only add noise.
        const ownOnly = compile([own]);
        lexicon = {
          ...lexicon,
          starters: ownOnly.starters,
          conjunctions: ownOnly.conjunctions,
        };
      } else if (!own && key !== "eng") {
        lexicon = { ...lexicon, starters: new Set(), conjunctions: new Set() };
      }
    }
    cache.set(key, lexicon);
  }
  return lexicon;
}
