//! QR codes as PNG images: rendering the core's QR matrix, and reading a
//! barcode back from a photographed or rendered image (rqrr). Phones use
//! their platform's scanner instead; this is the desktop path.

use homeward_core::certificate::QrMatrix;

/// Renders a QR matrix to a greyscale PNG: `scale` pixels a module and the
/// standard 4-module quiet zone.
pub fn to_png(qr: &QrMatrix, scale: usize) -> Vec<u8> {
    let quiet = 4;
    let side = (qr.width + 2 * quiet) * scale;
    let mut pixels = vec![255u8; side * side];
    for y in 0..qr.width {
        for x in 0..qr.width {
            if qr.modules[y * qr.width + x] {
                for dy in 0..scale {
                    let row = (y + quiet) * scale + dy;
                    let start = row * side + (x + quiet) * scale;
                    pixels[start..start + scale].fill(0);
                }
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, side as u32, side as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("PNG header into a Vec");
        w.write_image_data(&pixels).expect("PNG data into a Vec");
    }
    out
}

/// Decodes an image (PNG) into 8-bit grey pixels: (width, height, pixels).
pub fn png_to_grey(bytes: &[u8]) -> Result<(usize, usize, Vec<u8>), String> {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().map_err(|e| format!("not a PNG image: {e}"))?;
    let info = reader.info();
    let (w, h) = (info.width as usize, info.height as usize);
    if w == 0 || h == 0 || w * h > 40_000_000 {
        return Err("the image is empty or too large".into());
    }
    let mut buf = vec![0u8; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).map_err(|e| format!("the PNG image is damaged: {e}"))?;
    let data = &buf[..frame.buffer_size()];
    let channels = match frame.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err("indexed-colour PNGs are not supported; save as RGB or greyscale".into()),
    };
    if frame.bit_depth != png::BitDepth::Eight {
        return Err("only 8-bit PNG images are supported".into());
    }
    let stride = frame.line_size;
    let mut grey = Vec::with_capacity(w * h);
    for y in 0..h {
        let row = &data[y * stride..y * stride + w * channels];
        for x in 0..w {
            let p = &row[x * channels..x * channels + channels];
            let g = match channels {
                1 | 2 => p[0],
                _ => ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8,
            };
            grey.push(g);
        }
    }
    Ok((w, h, grey))
}

/// Finds and reads the QR codes in an image; returns their texts.
pub fn read_qr(png_bytes: &[u8]) -> Result<Vec<String>, String> {
    let (w, h, grey) = png_to_grey(png_bytes)?;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| grey[y * w + x]);
    let grids = img.detect_grids();
    if grids.is_empty() {
        return Err("no QR code found in the image".into());
    }
    let mut out = Vec::new();
    for g in grids {
        match g.decode() {
            Ok((_, text)) => out.push(text),
            Err(e) => return Err(format!("a QR code was found but could not be read: {e}")),
        }
    }
    Ok(out)
}
