//! What the holder's own document must not say. A Certificate of Return is
//! shown to transport staff, landlords and employers, and a trafficker may
//! take it from her: the Law (art. 25) closes a victim's identity data and
//! the Protocol (art. 6) asks for her privacy. So the printed certificate,
//! its barcode and the verification result a border post sees carry
//! nothing that tells why it was free or that the holder was screened. The
//! fee decision and its reason stay in the case record (the consular
//! officer's view) and in headquarters' statistics.
//!
//! [`revealing_word`] is the check the tests of every such surface run (the
//! PDF's texts, every barcode payload field, the verification output): a
//! new field or label that says it makes them fail.

/// Words (en, ru, ky) that would tell a reader the holder is a victim, was
/// screened, or did not pay. `Stem` matches the start of a word (so
/// "waived" and "trafficking" are caught); `Word` only a whole word, for
/// short ones that begin ordinary names ("Алымбеков" is a surname, "алым"
/// is "fee").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    Stem(&'static str),
    Word(&'static str),
}

pub const REVEALING: &[Pattern] = &[
    // English
    Pattern::Stem("victim"),
    Pattern::Stem("traffick"),
    Pattern::Stem("waive"),
    Pattern::Stem("waiver"),
    Pattern::Stem("exempt"),
    Pattern::Stem("screen"),
    Pattern::Stem("decree"),
    Pattern::Word("fee"),
    Pattern::Word("fees"),
    Pattern::Word("free"),
    Pattern::Word("gratis"),
    Pattern::Word("839"),
    // Russian
    Pattern::Stem("жертв"),
    Pattern::Stem("торговл"),
    Pattern::Stem("освобожд"),
    Pattern::Stem("бесплатн"),
    Pattern::Stem("пошлин"),
    Pattern::Stem("скрининг"),
    Pattern::Stem("постановлен"),
    Pattern::Stem("льгот"),
    Pattern::Word("сбор"),
    Pattern::Word("сбора"),
    // Kyrgyz
    Pattern::Stem("жабырлануучу"),
    Pattern::Stem("сатуу"),
    Pattern::Stem("бошотул"),
    Pattern::Stem("акысыз"),
    Pattern::Stem("токтом"),
    Pattern::Word("алым"),
    Pattern::Word("алымы"),
];

/// The first revealing word in `text`, if any (case-insensitive; words are
/// split at anything that is not a letter or a digit, so JSON keys such as
/// `fee_waived` are caught too).
pub fn revealing_word(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    for word in lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        for p in REVEALING {
            match *p {
                Pattern::Stem(s) if word.starts_with(s) => return Some(s),
                Pattern::Word(s) if word == s => return Some(s),
                _ => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::revealing_word;

    #[test]
    fn catches_the_reason_as_it_was_printed_and_its_translations() {
        let printed = "Fee waived: victim of trafficking (Government Decree No. 839 of 18 Dec 2012; Law art. 26 p.2)";
        assert!(revealing_word(printed).is_some());
        assert_eq!(revealing_word(r#"{"fee_waived":true}"#), Some("fee"));
        assert_eq!(revealing_word("Сбор не взимается: жертва торговли людьми"), Some("сбор"));
        assert_eq!(revealing_word("Адам сатуунун жабырлануучусу"), Some("сатуу"));
        assert_eq!(revealing_word("Алым / Сбор / Fee"), Some("алым"));
        assert_eq!(revealing_word("SCREENED"), Some("screen"));
    }

    #[test]
    fn ordinary_names_and_labels_pass() {
        for ok in [
            "Алымбеков Эмир",
            "Асанова Айгүл Бакытовна",
            "Coffee Freeman",
            "КАЙТУУ КҮБӨЛҮГҮ / СВИДЕТЕЛЬСТВО НА ВОЗВРАЩЕНИЕ / CERTIFICATE OF RETURN",
            "Valid for a single entry into the Kyrgyz Republic.",
        ] {
            assert_eq!(revealing_word(ok), None, "{ok}");
        }
    }
}
