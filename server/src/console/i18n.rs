//! Kyrgyz, Russian and English: Fluent messages (CLDR plural rules: ru has
//! one/few/many, ky and en one/other) and each language's number and date
//! formats. A message missing in a language shows as `⟦id⟧`, which the
//! browser tests look for on every page.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Ky,
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Ky, Lang::Ru, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ky => "ky",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == s.trim())
    }

    /// The language's own name, for the switcher.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::Ky => "Кыргызча",
            Lang::Ru => "Русский",
            Lang::En => "English",
        }
    }

    /// The first supported language an `Accept-Language` header asks for.
    pub fn negotiate(accept: Option<&str>) -> Lang {
        accept
            .unwrap_or("")
            .split(',')
            .filter_map(|p| p.split(';').next())
            .filter_map(|tag| Lang::parse(tag.trim().split('-').next().unwrap_or("")))
            .next()
            .unwrap_or(Lang::Ru)
    }

    /// The checklist's language of the same code.
    pub fn checklist(self) -> homeward_domain::screening::Lang {
        match self {
            Lang::Ky => homeward_domain::screening::Lang::Ky,
            Lang::Ru => homeward_domain::screening::Lang::Ru,
            Lang::En => homeward_domain::screening::Lang::En,
        }
    }
}

pub const SOURCES: [(Lang, &str); 3] = [
    (Lang::En, include_str!("locales/en.ftl")),
    (Lang::Ru, include_str!("locales/ru.ftl")),
    (Lang::Ky, include_str!("locales/ky.ftl")),
];

pub struct I18n {
    bundles: Vec<(Lang, FluentBundle<FluentResource>)>,
}

impl I18n {
    pub fn new() -> I18n {
        let bundles = SOURCES
            .iter()
            .map(|(lang, src)| {
                let res = FluentResource::try_new(src.to_string())
                    .unwrap_or_else(|(_, e)| panic!("{}.ftl does not parse: {e:?}", lang.code()));
                let id: unic_langid::LanguageIdentifier = lang.code().parse().expect("a language tag");
                let mut b = FluentBundle::new_concurrent(vec![id]);
                // No bidi isolation marks: every language here is left to right.
                b.set_use_isolating(false);
                b.add_resource(res).expect("no duplicate messages");
                (*lang, b)
            })
            .collect();
        I18n { bundles }
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        &self.bundles.iter().find(|(l, _)| *l == lang).expect("every language is loaded").1
    }

    /// The message `id` with `args`; `⟦id⟧` when it is missing.
    pub fn format(&self, lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
        let b = self.bundle(lang);
        let Some(pattern) = b.get_message(id).and_then(|m| m.value()) else {
            return format!("⟦{id}⟧");
        };
        let mut errors = vec![];
        let s = b.format_pattern(pattern, args, &mut errors);
        if errors.is_empty() {
            s.into_owned()
        } else {
            format!("⟦{id}⟧")
        }
    }

    /// Every message id of a language (for the completeness test).
    pub fn ids(lang: Lang) -> Vec<String> {
        let src = SOURCES.iter().find(|(l, _)| *l == lang).map(|(_, s)| *s).unwrap_or("");
        let res = FluentResource::try_new(src.to_string()).unwrap_or_else(|(r, _)| r);
        res.entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }
}

impl Default for I18n {
    fn default() -> Self {
        I18n::new()
    }
}

/// A translator bound to one language and the console's time zone.
#[derive(Clone, Copy)]
pub struct T<'a> {
    pub i18n: &'a I18n,
    pub lang: Lang,
    pub utc_offset_minutes: i32,
}

impl T<'_> {
    /// A message without arguments.
    pub fn s(&self, id: &str) -> String {
        self.i18n.format(self.lang, id, None)
    }

    /// A message with a count: `$count` selects the plural form, `$n` is
    /// the count in the language's number format.
    pub fn n(&self, id: &str, count: i64) -> String {
        let mut a = FluentArgs::new();
        a.set("count", FluentValue::from(count));
        a.set("n", FluentValue::from(self.num(count)));
        self.i18n.format(self.lang, id, Some(&a))
    }

    /// A message with named text arguments.
    pub fn a(&self, id: &str, args: &[(&str, &str)]) -> String {
        let mut a = FluentArgs::new();
        for (k, v) in args {
            a.set(*k, FluentValue::from(v.to_string()));
        }
        self.i18n.format(self.lang, id, Some(&a))
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    /// An integer with the language's digit grouping (1,234 / 1 234).
    pub fn num(&self, n: i64) -> String {
        format_int(n, if self.lang == Lang::En { "," } else { "\u{a0}" })
    }

    /// A decimal with one digit after the separator (en "2.5", ru/ky "2,5").
    pub fn dec1(&self, x: f64) -> String {
        let s = format!("{x:.1}");
        if self.lang == Lang::En {
            s
        } else {
            s.replace('.', ",")
        }
    }

    fn local(&self, ms: i64) -> Option<time::OffsetDateTime> {
        let off = time::UtcOffset::from_whole_seconds(self.utc_offset_minutes * 60).ok()?;
        Some(time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).ok()?.to_offset(off))
    }

    /// A date as each language writes it: "29 Nov 2026", "29.11.2026".
    pub fn date(&self, ms: i64) -> String {
        let Some(t) = self.local(ms) else { return "-".into() };
        self.ymd(t.year(), t.month() as u8, t.day())
    }

    pub fn ymd(&self, y: i32, m: u8, d: u8) -> String {
        const EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        match self.lang {
            Lang::En => format!("{d} {} {y}", EN[(m.clamp(1, 12) - 1) as usize]),
            Lang::Ru | Lang::Ky => format!("{d:02}.{m:02}.{y}"),
        }
    }

    /// An ISO date ("2026-11-29") in the language's format.
    pub fn iso_date(&self, iso: &str) -> String {
        let p: Vec<&str> = iso.split('-').collect();
        match (
            p.first().and_then(|y| y.parse().ok()),
            p.get(1).and_then(|m| m.parse().ok()),
            p.get(2).and_then(|d| d.parse().ok()),
        ) {
            (Some(y), Some(m), Some(d)) => self.ymd(y, m, d),
            _ => iso.to_string(),
        }
    }

    /// A month ("2026-11") as a short label: "Nov 2026", "11.2026".
    pub fn month(&self, ym: &str) -> String {
        const EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let mut p = ym.split('-');
        match (p.next(), p.next().and_then(|m| m.parse::<usize>().ok())) {
            (Some(y), Some(m)) if (1..=12).contains(&m) => match self.lang {
                Lang::En => format!("{} {y}", EN[m - 1]),
                _ => format!("{m:02}.{y}"),
            },
            _ => ym.to_string(),
        }
    }

    /// Date and time to the minute, in the console's time zone.
    pub fn datetime(&self, ms: i64) -> String {
        let Some(t) = self.local(ms) else { return "-".into() };
        format!("{} {:02}:{:02}", self.date(ms), t.hour(), t.minute())
    }

    /// For a `<time datetime>` attribute.
    pub fn iso(&self, ms: i64) -> String {
        self.local(ms).and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()).unwrap_or_default()
    }

    /// A duration in hours as days and hours ("2 d 5 h" in the language).
    pub fn hours(&self, h: i64) -> String {
        if h < 24 {
            self.n("duration-hours", h)
        } else {
            format!("{} {}", self.n("duration-days", h / 24), self.n("duration-hours", h % 24))
        }
    }
}

pub fn format_int(n: i64, sep: &str) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_message_and_no_extra_one() {
        let en: std::collections::BTreeSet<_> = I18n::ids(Lang::En).into_iter().collect();
        assert!(en.len() > 100, "the English messages load ({})", en.len());
        for lang in [Lang::Ru, Lang::Ky] {
            let other: std::collections::BTreeSet<_> = I18n::ids(lang).into_iter().collect();
            let missing: Vec<_> = en.difference(&other).collect();
            let extra: Vec<_> = other.difference(&en).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{}: missing {missing:?}, extra {extra:?}", lang.code());
        }
        // Every message formats without a Fluent error in every language.
        let i = I18n::new();
        for lang in Lang::ALL {
            let t = T { i18n: &i, lang, utc_offset_minutes: 360 };
            for id in &en {
                let mut a = FluentArgs::new();
                for k in [
                    "count", "n", "name", "role", "user", "office", "state", "case", "device", "when", "version", "k",
                    "code", "what", "seconds", "path", "question", "reason", "from", "to", "number", "seq", "value",
                    "lang", "reviewed", "total",
                ] {
                    a.set(k, FluentValue::from(1));
                }
                let s = i.format(lang, id, Some(&a));
                assert!(!s.starts_with('⟦'), "{}: {id} fails to format", lang.code());
            }
            assert!(!t.s("nav-queue").is_empty());
        }
    }

    #[test]
    fn plurals_follow_each_language() {
        let i = I18n::new();
        let t = |lang| T { i18n: &i, lang, utc_offset_minutes: 360 };
        assert_eq!(t(Lang::En).n("cases-count", 1), "1 case");
        assert_eq!(t(Lang::En).n("cases-count", 1234), "1,234 cases");
        assert_eq!(t(Lang::Ru).n("cases-count", 1), "1 заявление");
        assert_eq!(t(Lang::Ru).n("cases-count", 3), "3 заявления");
        assert_eq!(t(Lang::Ru).n("cases-count", 5), "5 заявлений");
        assert_eq!(t(Lang::Ru).n("cases-count", 21), "21 заявление");
        assert_eq!(t(Lang::Ru).n("cases-count", 1234), "1\u{a0}234 заявления");
        assert_eq!(t(Lang::Ky).n("cases-count", 5), "5 арыз");
    }

    #[test]
    fn numbers_and_dates_in_each_language() {
        let i = I18n::new();
        let t = |lang| T { i18n: &i, lang, utc_offset_minutes: 360 };
        assert_eq!(t(Lang::En).num(1_000_000), "1,000,000");
        assert_eq!(t(Lang::Ru).num(-12_345), "-12\u{a0}345");
        assert_eq!(t(Lang::En).num(999), "999");
        // 2026-11-29T20:00Z is the 30th in Bishkek (UTC+6).
        let ms = 1_795_982_400_000;
        assert_eq!(t(Lang::En).date(ms), "30 Nov 2026");
        assert_eq!(t(Lang::Ru).date(ms), "30.11.2026");
        assert_eq!(t(Lang::Ky).datetime(ms), "30.11.2026 02:00");
        assert_eq!(t(Lang::Ru).dec1(2.5), "2,5");
        assert_eq!(t(Lang::En).iso_date("2026-01-05"), "5 Jan 2026");
        assert_eq!(Lang::negotiate(Some("en-GB,en;q=0.9")), Lang::En);
        assert_eq!(Lang::negotiate(Some("ky-KG")), Lang::Ky);
        assert_eq!(Lang::negotiate(Some("de")), Lang::Ru);
    }
}
