//! The printable Certificate of Return (A5 portrait): texts in Kyrgyz,
//! Russian and English, the holder's photo, the QR code, and the
//! classification label. Cyrillic needs an embedded TrueType font: DejaVu
//! Sans from Debian's fonts-dejavu-core, or the file named by HOMEWARD_FONT.

use homeward_core::export::{classification_of, ExportKind};
use printpdf::{
    ColorBits, ColorSpace, Image, ImageFilter, ImageTransform, ImageXObject, IndirectFontRef, Mm, PdfDocument,
    PdfLayerReference, Px,
};

use homeward_core::certificate::barcode::CertificatePayload;
use homeward_core::certificate::QrMatrix;

const FONT_PATHS: [&str; 3] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
];

fn font_bytes() -> Result<Vec<u8>, String> {
    if let Ok(p) = std::env::var("HOMEWARD_FONT") {
        return std::fs::read(&p).map_err(|e| format!("cannot read the font {p}: {e}"));
    }
    for p in FONT_PATHS {
        if let Ok(b) = std::fs::read(p) {
            return Ok(b);
        }
    }
    Err("no font with Cyrillic found: install fonts-dejavu-core or set HOMEWARD_FONT to a .ttf file".into())
}

/// A photo for the PDF: JPEG embedded as is, PNG decoded to pixels.
fn photo_xobject(bytes: &[u8]) -> Result<ImageXObject, String> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let (w, h, comps) = jpeg_size(bytes).ok_or("the photo is a JPEG without a readable size")?;
        return Ok(ImageXObject {
            width: Px(w),
            height: Px(h),
            color_space: if comps == 1 { ColorSpace::Greyscale } else { ColorSpace::Rgb },
            bits_per_component: ColorBits::Bit8,
            interpolate: true,
            image_data: bytes.to_vec(),
            image_filter: Some(ImageFilter::DCT),
            smask: None,
            clipping_bbox: None,
        });
    }
    let (w, h, grey) = crate::qr_image::png_to_grey(bytes).map_err(|e| format!("the photo: {e}"))?;
    Ok(ImageXObject {
        width: Px(w),
        height: Px(h),
        color_space: ColorSpace::Greyscale,
        bits_per_component: ColorBits::Bit8,
        interpolate: true,
        image_data: grey,
        image_filter: None,
        smask: None,
        clipping_bbox: None,
    })
}

/// Width, height and components from a JPEG's start-of-frame marker.
fn jpeg_size(b: &[u8]) -> Option<(usize, usize, u8)> {
    let mut i = 2;
    while i + 9 < b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
            let h = u16::from_be_bytes([b[i + 5], b[i + 6]]) as usize;
            let w = u16::from_be_bytes([b[i + 7], b[i + 8]]) as usize;
            return Some((w, h, b[i + 9]));
        }
        i += 2 + len;
    }
    None
}

fn qr_xobject(qr: &QrMatrix) -> (ImageXObject, usize) {
    let quiet = 4;
    let side = qr.width + 2 * quiet;
    let mut px = vec![255u8; side * side];
    for y in 0..qr.width {
        for x in 0..qr.width {
            if qr.modules[y * qr.width + x] {
                px[(y + quiet) * side + x + quiet] = 0;
            }
        }
    }
    let x = ImageXObject {
        width: Px(side),
        height: Px(side),
        color_space: ColorSpace::Greyscale,
        bits_per_component: ColorBits::Bit8,
        interpolate: false,
        image_data: px,
        image_filter: None,
        smask: None,
        clipping_bbox: None,
    };
    (x, side)
}

/// An image `px` pixels wide drawn `mm` millimetres wide at (x, y).
fn place(img: ImageXObject, px: usize, layer: &PdfLayerReference, x: f32, y: f32, mm: f32) {
    let dpi = px as f32 * 25.4 / mm;
    Image::from(img).add_to_layer(
        layer.clone(),
        ImageTransform { translate_x: Some(Mm(x)), translate_y: Some(Mm(y)), dpi: Some(dpi), ..Default::default() },
    );
}

pub struct PdfInput<'a> {
    pub payload: &'a CertificatePayload,
    pub barcode: &'a str,
    pub qr: &'a QrMatrix,
    pub photo: Option<&'a [u8]>,
    pub place_of_birth: &'a str,
}

/// One text on the page: what it says, its size (pt) and where (mm from the
/// bottom left).
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedText {
    pub text: String,
    pub size: f32,
    pub x: f32,
    pub y: f32,
}

/// The document's title and subject, in its metadata, where a file manager
/// or a mail gateway sees them.
pub fn metadata() -> [String; 2] {
    ["Certificate of Return".to_string(), classification_of(ExportKind::CertificatePdf).label().to_string()]
}

/// Every text the page carries, in drawing order: [`render`] draws these
/// and nothing else, so a test of this list is a test of the page. No fee
/// line: the holder shows this paper to strangers, and whether or why it
/// was free would tell them she was screened (domain's
/// `certificate::disclosure`); the fee decision stays in the case record.
pub fn page_texts(input: &PdfInput<'_>) -> Vec<PlacedText> {
    let p = input.payload;
    let mut out = Vec::new();
    let mut text = |s: &str, size: f32, x: f32, y: f32| out.push(PlacedText { text: s.to_string(), size, x, y });

    // The marking (interior ministry regulation; why this one: core/src/export.rs).
    let label = classification_of(ExportKind::CertificatePdf).label();
    text(&format!("ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ / {label}"), 7.0, 12.0, 203.0);
    text("КЫРГЫЗ РЕСПУБЛИКАСЫ · КЫРГЫЗСКАЯ РЕСПУБЛИКА · KYRGYZ REPUBLIC", 8.0, 12.0, 195.0);
    text("КАЙТУУ КҮБӨЛҮГҮ", 15.0, 12.0, 186.0);
    text("СВИДЕТЕЛЬСТВО НА ВОЗВРАЩЕНИЕ", 12.0, 12.0, 180.0);
    text("CERTIFICATE OF RETURN", 12.0, 12.0, 174.0);
    text(&format!("№ {}", p.number), 11.0, 12.0, 166.0);
    if input.photo.is_none() {
        text("[фото / photo]", 8.0, 18.0, 135.0);
    }

    let sex = match p.sex {
        homeward_core::certificate::request::Sex::F => "Ж / Ж / F",
        homeward_core::certificate::request::Sex::M => "Э / М / M",
        homeward_core::certificate::request::Sex::X => "X",
    };
    let rows: [(&str, String); 9] = [
        ("Фамилиясы / Фамилия / Surname", p.surname.clone()),
        ("Аты / Имя / Given name", p.given_name.clone()),
        ("Атасынын аты / Отчество / Patronymic", p.patronymic.clone().unwrap_or_else(|| "—".into())),
        ("Туулган күнү / Дата рождения / Date of birth", p.date_of_birth.to_string()),
        ("Туулган жери / Место рождения / Place of birth", input.place_of_birth.to_string()),
        ("Жынысы / Пол / Sex", sex.to_string()),
        ("Берген мекеме / Выдано / Issued by", p.issuing_office.clone()),
        ("Берилген күнү / Дата выдачи / Issued", p.issue_date.to_string()),
        ("Жарактуу мөөнөтү / Действительно до / Valid until", p.expiry_date.to_string()),
    ];
    // The fields, right of the photo, from the top of the photo down.
    let mut y = 160.0;
    for (label, value) in rows.iter() {
        text(label, 6.0, 52.0, y);
        text(value, 10.0, 52.0, y - 4.0);
        y -= 8.6;
    }
    // Children across the page, below the fields.
    let mut y = 78.0;
    if !p.children.is_empty() {
        text("Коштолгон балдар / Сопровождаемые дети / Accompanying children", 6.0, 12.0, y);
        for c in p.children.iter().take(3) {
            y -= 4.2;
            text(&format!("{} {}, {}", c.surname, c.given_name, c.date_of_birth), 9.0, 12.0, y);
        }
        if p.children.len() > 3 {
            y -= 4.2;
            text(&format!("+ {} (see the barcode)", p.children.len() - 3), 8.0, 12.0, y);
        }
    }

    // The validity note beside the QR code.
    for (i, line) in [
        "Кыргыз Республикасына бир жолу",
        "кирүү үчүн жарактуу.",
        "Действительно для однократного",
        "въезда в Кыргызскую Республику.",
        "Valid for a single entry",
        "into the Kyrgyz Republic.",
    ]
    .iter()
    .enumerate()
    {
        text(line, 7.0, 12.0, 44.0 - 4.0 * i as f32 - if i >= 2 { 2.0 } else { 0.0 } - if i >= 4 { 2.0 } else { 0.0 });
    }
    text(&format!("QR v{} · {} chars", input.qr.version, input.barcode.len()), 6.0, 12.0, 10.0);
    out
}

/// Renders the certificate as an A5 PDF.
pub fn render(input: &PdfInput<'_>) -> Result<Vec<u8>, String> {
    let [title, subject] = metadata();
    let (doc, page, layer) = PdfDocument::new(title, Mm(148.0), Mm(210.0), "certificate");
    let doc = doc.with_subject(subject);
    let font: IndirectFontRef = doc
        .add_external_font(std::io::Cursor::new(font_bytes()?))
        .map_err(|e| format!("the font could not be embedded: {e}"))?;
    let l = doc.get_page(page).get_layer(layer);
    for t in page_texts(input) {
        l.use_text(t.text, t.size, Mm(t.x), Mm(t.y), &font);
    }

    // Photo box (35 x 45 mm) at the left.
    if let Some(bytes) = input.photo {
        let img = photo_xobject(bytes)?;
        let w = img.width.0;
        place(img, w, &l, 12.0, 112.0, 35.0);
    }
    // The QR code, 46 mm, bottom right.
    let (qr, side) = qr_xobject(input.qr);
    place(qr, side, &l, 92.0, 8.0, 46.0);

    doc.save_to_bytes().map_err(|e| format!("the PDF could not be written: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use homeward_core::certificate::barcode::{decode, encode, ChildOnCertificate};
    use homeward_core::certificate::disclosure::revealing_word;
    use homeward_core::certificate::qr_matrix;
    use homeward_core::certificate::request::Sex;
    use homeward_core::events::{DeviceIdentity, Role};
    use homeward_core::random::OsRng;

    /// Issue 16 item 7: nothing the page prints (every label and value, the
    /// metadata) says the holder is a victim, was screened or paid no fee.
    #[test]
    fn the_printed_page_says_nothing_of_the_screening_or_the_fee() {
        let signer = DeviceIdentity::generate("ist-03", Role::ConsularOfficer, "IST", &mut OsRng);
        let d = |s: &str| s.parse().unwrap();
        let payload = CertificatePayload {
            number: "IST-2603-00017".into(),
            surname: "Асанова".into(),
            given_name: "Айгүл".into(),
            patronymic: Some("Бакытовна".into()),
            date_of_birth: d("1994-03-12"),
            sex: Sex::F,
            issuing_office: "IST".into(),
            issue_date: d("2026-11-29"),
            expiry_date: d("2026-12-29"),
            photo_hash: None,
            case_id: "0190a3c4-0000-7000-8000-000000000001".into(),
            issued_event: "0190a3c4-0000-7000-8000-000000000002".into(),
            children: (0..4)
                .map(|i| ChildOnCertificate {
                    surname: "Асанов".into(),
                    given_name: format!("Эмир{i}"),
                    date_of_birth: d("2019-06-01"),
                })
                .collect(),
        };
        let text = encode(&payload, &signer);
        let qr = qr_matrix(&text).unwrap();
        let payload = decode(&text).unwrap().payload;
        let input = PdfInput { payload: &payload, barcode: &text, qr: &qr, photo: None, place_of_birth: "Ош" };
        let texts = page_texts(&input);
        assert!(texts.iter().any(|t| t.text == "Асанова"), "the page carries the holder's name");
        for t in texts.iter().map(|t| t.text.as_str()).chain(metadata().iter().map(String::as_str)) {
            assert_eq!(revealing_word(t), None, "printed: {t:?}");
        }
    }
}
