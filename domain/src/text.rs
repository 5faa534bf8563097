//! Folding of names and document numbers into the exact forms the blind
//! indexes key on. Pure functions: no keys, no I/O.
//!
//! Names are folded for *exact* lookup: case, whitespace, punctuation and
//! diacritics are removed, and a Cyrillic spelling is transliterated under
//! each supported standard, so that "Асанов" meets "ASANOV" and "Юлия" meets
//! both "IULIIA" (ICAO Doc 9303, what passports print) and "YULIYA" (the older
//! BGN/PCGN-style spelling many officers type). Nothing fuzzier than a
//! published transliteration is done: a blind index cannot rank near matches.

use unicode_normalization::UnicodeNormalization;

/// A transliteration standard for Cyrillic names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transliteration {
    /// ICAO Doc 9303 part 3, as printed in machine-readable passports
    /// (Kyrgyz letters Ң, Ө, Ү as NG, O, U, the spelling Kyrgyz passports use).
    Icao9303,
    /// BGN/PCGN-style romanisation (Ю as YU, Я as YA, Й as Y), common in older
    /// documents and in spellings typed by officers.
    BgnPcgn,
}

impl Transliteration {
    pub const ALL: [Transliteration; 2] = [Transliteration::Icao9303, Transliteration::BgnPcgn];
}

/// Transliterates one lower-case Cyrillic letter, or returns `None` when the
/// character is not Cyrillic.
fn cyrillic_to_latin(c: char, scheme: Transliteration) -> Option<&'static str> {
    use Transliteration::*;
    let s = match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ґ' | 'ѓ' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'є' => "ie",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' | 'ї' => "i",
        'й' => match scheme {
            Icao9303 => "i",
            BgnPcgn => "y",
        },
        'к' | 'ќ' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'ң' => "ng",
        'о' | 'ө' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ү' | 'ў' => "u",
        'ф' => "f",
        'х' | 'һ' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => match scheme {
            Icao9303 => "ie",
            BgnPcgn => "",
        },
        'ы' => "y",
        'ь' => "",
        'ю' => match scheme {
            Icao9303 => "iu",
            BgnPcgn => "yu",
        },
        'я' => match scheme {
            Icao9303 => "ia",
            BgnPcgn => "ya",
        },
        'ј' => "j",
        'љ' => "lj",
        'њ' => "nj",
        'ћ' => "c",
        'ђ' => "d",
        'џ' | 'ѕ' => "dz",
        _ => return None,
    };
    Some(s)
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}' | '\u{0500}'..='\u{052F}')
}

/// Folds a name into space-separated lower-case ASCII-ish tokens under one
/// transliteration. Diacritics are stripped after canonical decomposition;
/// anything that is not a letter or digit separates tokens.
pub fn fold_name(name: &str, scheme: Transliteration) -> Vec<String> {
    let lower: String = name.nfc().flat_map(char::to_lowercase).collect();
    let mut tokens = Vec::new();
    let mut current = String::new();
    for c in lower.chars() {
        if is_cyrillic(c) {
            if let Some(latin) = cyrillic_to_latin(c, scheme) {
                current.push_str(latin);
                continue;
            }
            // A Cyrillic letter outside the table: keep it (folded) rather than drop it.
        }
        if c.is_alphanumeric() {
            // Strip combining marks: "Özgür" and "Ozgur" meet.
            for d in c.nfkd() {
                if !is_combining_mark(d) {
                    current.extend(d.to_lowercase());
                }
            }
        } else if !is_combining_mark(c) && !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    // German-style and Turkish dotless forms that NFKD leaves alone.
    tokens.into_iter().map(|t| t.replace('ß', "ss").replace('ı', "i").replace('ø', "o").replace('æ', "ae")).collect()
}

fn is_combining_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

/// Every distinct folded form of a full name, one per transliteration
/// standard. Token order is normalised (sorted) so that "Surname Given" and
/// "Given Surname" meet.
pub fn name_keys(name: &str) -> Vec<String> {
    let mut keys: Vec<String> = Transliteration::ALL
        .iter()
        .map(|s| {
            let mut tokens = fold_name(name, *s);
            tokens.sort();
            tokens.join(" ")
        })
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Every distinct folded single name part (surname, given name, patronymic)
/// under every transliteration standard.
pub fn name_part_keys(name: &str) -> Vec<String> {
    let mut keys: Vec<String> = Transliteration::ALL.iter().flat_map(|s| fold_name(name, *s)).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Every folded form of a document number. A number typed with Cyrillic
/// letters is ambiguous: an officer copying "AH" from a Latin document on a
/// Cyrillic keyboard types "АН" (look-alikes), while one spelling "AN" by
/// sound types "АН" too. Both readings are kept so either meets the Latin
/// number; a plain Latin number has one form.
pub fn document_number_keys(number: &str) -> Vec<String> {
    let visual = fold_document_number(number);
    let mut keys = vec![visual];
    if number.chars().any(is_cyrillic) {
        let phonetic: String = number
            .nfc()
            .flat_map(char::to_lowercase)
            .map(|c| match cyrillic_to_latin(c, Transliteration::Icao9303) {
                Some(latin) => latin.to_string(),
                None => c.to_string(),
            })
            .collect();
        keys.push(fold_document_number(&phonetic));
    }
    keys.retain(|k| !k.is_empty());
    keys.sort();
    keys.dedup();
    keys
}

/// Folds a document number: upper case, separators removed, and Cyrillic
/// letters that look like Latin ones (as typed from a printed document on a
/// Cyrillic keyboard) mapped to the Latin letter they look like.
pub fn fold_document_number(number: &str) -> String {
    number
        .nfkc()
        .flat_map(char::to_uppercase)
        .filter_map(|c| {
            let mapped = match c {
                'А' => 'A',
                'В' => 'B',
                'Е' => 'E',
                'К' => 'K',
                'М' => 'M',
                'Н' => 'H',
                'О' => 'O',
                'Р' => 'P',
                'С' => 'C',
                'Т' => 'T',
                'У' => 'Y',
                'Х' => 'X',
                'І' => 'I',
                'Ј' => 'J',
                'Ѕ' => 'S',
                c if c.is_alphanumeric() => c,
                _ => return None,
            };
            Some(mapped)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_and_icao_latin_meet() {
        assert_eq!(name_keys("Асанов Бакыт"), name_keys("ASANOV BAKYT"));
        assert!(name_keys("Юлия Иванова").contains(&"iuliia ivanova".to_string()));
        assert!(name_keys("Юлия Иванова").contains(&"ivanova yuliya".to_string()));
    }

    #[test]
    fn latin_query_meets_either_standard() {
        let cyr = name_keys("Юлия");
        for latin in ["Iuliia", "YULIYA"] {
            let q = name_keys(latin);
            assert!(q.iter().any(|k| cyr.contains(k)), "{latin} should meet Юлия");
        }
    }

    #[test]
    fn kyrgyz_letters() {
        assert_eq!(name_keys("Үмүт Өмүрбекова"), name_keys("Umut Omurbekova"));
        assert_eq!(name_keys("Жаңыл"), name_keys("ZHANGYL"));
    }

    #[test]
    fn case_whitespace_diacritics_and_order_fold() {
        assert_eq!(name_keys("  Özgür   YILMAZ "), name_keys("yilmaz ozgur"));
        assert_eq!(name_keys("Ali-Khan"), name_keys("ali khan"));
        assert_ne!(name_keys("Asanov"), name_keys("Asanova"));
    }

    #[test]
    fn empty_names_have_no_keys() {
        assert!(name_keys("  - ").is_empty());
        assert!(name_part_keys("").is_empty());
    }

    #[test]
    fn document_numbers_fold_separators_case_and_lookalikes() {
        assert_eq!(fold_document_number("an 123-456 7"), "AN1234567");
        // Cyrillic А and Н typed on a Cyrillic keyboard look like Latin A and H.
        assert_eq!(fold_document_number("АН1234567"), "AH1234567");
        assert_ne!(fold_document_number("AN1234567"), fold_document_number("AN1234568"));
    }

    #[test]
    fn cyrillic_document_numbers_keep_both_readings() {
        let keys = document_number_keys("ан 123 4567");
        assert!(keys.contains(&"AN1234567".to_string()), "{keys:?}");
        assert!(keys.contains(&"AH1234567".to_string()), "{keys:?}");
        assert_eq!(document_number_keys("AN-1234567"), vec!["AN1234567".to_string()]);
        assert!(document_number_keys(" - ").is_empty());
    }
}
