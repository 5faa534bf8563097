//! A bundle as a sequence of QR frames, with a fountain code (RaptorQ,
//! RFC 6330): the exporting screen cycles through the frames, the camera
//! takes them in any order, some missed, and the import completes as soon
//! as enough symbols arrived (a few more than the bundle's source symbols,
//! whichever they are).
//!
//! A frame is `HWF1:` + base45 of: version (1 byte), the transfer id (the
//! first 6 bytes of the SHA-256 of the bundle's CBOR form), the bundle's
//! length (u32, big-endian), the symbol size (u16), then one RaptorQ packet
//! (its 4-byte payload id and one symbol). base45 is QR's alphanumeric set,
//! the same as the certificate's barcode; a frame fits QR version 15 at
//! error correction M.

use raptorq::{Decoder, Encoder, EncodingPacket, ObjectTransmissionInformation};
use sha2::{Digest, Sha256};

use super::ForwardBundle;

pub const FRAME_PREFIX: &str = "HWF1:";
const VERSION: u8 = 1;
/// Bytes of bundle a frame carries: small enough for QR version 15 at M
/// (a fast read by a phone camera at 5 frames a second).
pub const SYMBOL_SIZE: u16 = 320;
const HEADER: usize = 1 + 6 + 4 + 2;
/// The largest bundle frames carry (a push batch of 1,000 events, deflated).
const MAX_TRANSFER: u32 = 8 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("not a Homeward forward frame: {0}")]
    NotAFrame(&'static str),
    #[error("this frame belongs to another bundle ({got}) than the frames before it ({expected}): start again with one bundle")]
    MixedBundles { expected: String, got: String },
    #[error("not enough frames yet: {received} of at least {needed} received")]
    Incomplete { received: usize, needed: usize },
    #[error("the frames decode, but not to a bundle: {0}")]
    Corrupt(String),
}

impl FrameError {
    pub fn code(&self) -> &'static str {
        match self {
            FrameError::NotAFrame(_) => "not_a_frame",
            FrameError::MixedBundles { .. } => "mixed_bundles",
            FrameError::Incomplete { .. } => "incomplete",
            FrameError::Corrupt(_) => "corrupt_frames",
        }
    }
}

/// The frames for `bundle`: its source symbols and `repair_percent` more
/// repair symbols (at least 4), so that a reader missing up to about that
/// share of the frames still completes in one pass.
pub fn encode(bundle: &ForwardBundle, repair_percent: u32) -> Vec<String> {
    let data = bundle.to_cbor();
    let id = transfer_id(&data);
    let oti = ObjectTransmissionInformation::with_defaults(data.len() as u64, SYMBOL_SIZE);
    let encoder = Encoder::new(&data, oti);
    let source = data.len().div_ceil(SYMBOL_SIZE as usize) as u32;
    let repair = (source * repair_percent).div_ceil(100).max(4);
    let mut header = Vec::with_capacity(HEADER);
    header.push(VERSION);
    header.extend_from_slice(&id);
    header.extend_from_slice(&(data.len() as u32).to_be_bytes());
    header.extend_from_slice(&SYMBOL_SIZE.to_be_bytes());
    encoder
        .get_encoded_packets(repair)
        .into_iter()
        .map(|p| {
            let mut b = header.clone();
            b.extend_from_slice(&p.serialize());
            format!("{FRAME_PREFIX}{}", base45::encode(&b))
        })
        .collect()
}

/// The fewest frames that carry `bundle` (its source symbols): the reader
/// needs about this many distinct frames, whichever they are.
pub fn source_frames(bundle: &ForwardBundle) -> usize {
    bundle.to_cbor().len().div_ceil(SYMBOL_SIZE as usize)
}

fn transfer_id(cbor: &[u8]) -> [u8; 6] {
    Sha256::digest(cbor)[..6].try_into().expect("6 bytes")
}

/// Collects frames in any order until the bundle decodes.
pub struct FrameCollector {
    /// The transfer id, length and its number of source blocks, from the first frame.
    transfer: Option<([u8; 6], u32, u8)>,
    decoder: Option<Decoder>,
    seen: std::collections::HashSet<u32>,
    result: Option<Vec<u8>>,
}

impl Default for FrameCollector {
    fn default() -> Self {
        FrameCollector::new()
    }
}

impl FrameCollector {
    pub fn new() -> FrameCollector {
        FrameCollector { transfer: None, decoder: None, seen: Default::default(), result: None }
    }

    /// Takes one frame. `Ok(true)` once the bundle is complete; a frame seen
    /// before is ignored; a frame of another bundle is refused, and the
    /// frames taken so far are kept.
    pub fn push(&mut self, frame: &str) -> Result<bool, FrameError> {
        if self.result.is_some() {
            return Ok(true);
        }
        let text = frame.trim();
        let body = text.strip_prefix(FRAME_PREFIX).ok_or(FrameError::NotAFrame("no HWF1: prefix"))?;
        let b = base45::decode(body).map_err(|_| FrameError::NotAFrame("not base45"))?;
        if b.len() < HEADER + 4 + 1 {
            return Err(FrameError::NotAFrame("too short"));
        }
        if b[0] != VERSION {
            return Err(FrameError::NotAFrame("an unknown frame version"));
        }
        let id: [u8; 6] = b[1..7].try_into().expect("6 bytes");
        let len = u32::from_be_bytes(b[7..11].try_into().expect("4 bytes"));
        let symbol = u16::from_be_bytes(b[11..13].try_into().expect("2 bytes"));
        // Version 1 frames have one symbol size; any other would make the
        // decoder's blocks disagree with the packets it is fed.
        if len == 0 || len > MAX_TRANSFER || symbol != SYMBOL_SIZE || b.len() != HEADER + 4 + symbol as usize {
            return Err(FrameError::NotAFrame("inconsistent lengths"));
        }
        let blocks = match self.transfer {
            None => {
                let oti = ObjectTransmissionInformation::with_defaults(len as u64, symbol);
                self.transfer = Some((id, len, oti.source_blocks()));
                self.decoder = Some(Decoder::new(oti));
                oti.source_blocks()
            }
            Some((held, held_len, _)) if held != id || held_len != len => {
                return Err(FrameError::MixedBundles { expected: hex::encode(held), got: hex::encode(id) });
            }
            Some((_, _, blocks)) => blocks,
        };
        // The decoder indexes its blocks by the packet's block number
        // unchecked: a forged one must stop here.
        if b[HEADER] >= blocks {
            return Err(FrameError::NotAFrame("a source block this bundle does not have"));
        }
        let packet = EncodingPacket::deserialize(&b[HEADER..]);
        let esi = u32::from_be_bytes(b[HEADER..HEADER + 4].try_into().expect("4 bytes"));
        if !self.seen.insert(esi) {
            return Ok(false);
        }
        if let Some(data) = self.decoder.as_mut().expect("set with the transfer").decode(packet) {
            // The fountain code does not authenticate: the id is checked
            // here, the bundle's own signature and AEAD later.
            if transfer_id(&data) != id {
                return Err(FrameError::Corrupt(
                    "the decoded bundle does not match its transfer id (a damaged frame): scan again from the start"
                        .into(),
                ));
            }
            self.result = Some(data);
            return Ok(true);
        }
        Ok(false)
    }

    /// Distinct frames taken so far.
    pub fn received(&self) -> usize {
        self.seen.len()
    }

    /// The fewest frames the bundle needs (its source symbols).
    pub fn needed(&self) -> usize {
        self.transfer.map(|(_, len, _)| (len as usize).div_ceil(SYMBOL_SIZE as usize)).unwrap_or(1)
    }

    /// The bundle, once complete.
    pub fn finish(&self) -> Result<ForwardBundle, FrameError> {
        let data =
            self.result.as_ref().ok_or(FrameError::Incomplete { received: self.received(), needed: self.needed() })?;
        ForwardBundle::from_cbor(data).map_err(|e| FrameError::Corrupt(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bundle's shape only: frames carry bytes, not keys.
    fn bundle(sealed: usize) -> ForwardBundle {
        ForwardBundle {
            classification: "FOR OFFICIAL USE ONLY".into(),
            format: "homeward/forward-bundle/v1".into(),
            bundle_id: "fwd-00".into(),
            hq: "kid".into(),
            recipient_key_id: "k".into(),
            sender_device: "osh-01".into(),
            sender_key: "00".into(),
            office: "OSH".into(),
            created_ms: 1,
            events: 1,
            ephemeral_key: "00".into(),
            sealed: (0..sealed).map(|i| (i * 7) as u8).collect(),
            signature: "00".into(),
        }
    }

    fn body_of(frame: &str) -> Vec<u8> {
        base45::decode(frame.strip_prefix(FRAME_PREFIX).unwrap()).unwrap()
    }

    fn frame_of(body: &[u8]) -> String {
        format!("{FRAME_PREFIX}{}", base45::encode(body))
    }

    #[test]
    fn forged_block_numbers_symbol_sizes_and_lengths_are_refused_not_panicked_on() {
        let frames = encode(&bundle(5000), 50);
        let good = body_of(&frames[0]);
        let mut c = FrameCollector::new();
        assert!(!c.push(&frames[0]).unwrap());

        // A block number the bundle does not have (the decoder would index past its blocks).
        let mut b = good.clone();
        b[HEADER] = 3;
        assert!(matches!(c.push(&frame_of(&b)), Err(FrameError::NotAFrame(_))));
        // Another symbol size, with a payload to match.
        let mut b = good[..HEADER].to_vec();
        b[11..13].copy_from_slice(&16u16.to_be_bytes());
        b.extend_from_slice(&[0u8; 4 + 16]);
        assert!(matches!(c.push(&frame_of(&b)), Err(FrameError::NotAFrame(_))));
        // Cut short, and one byte too long.
        assert!(matches!(c.push(&frame_of(&good[..good.len() - 1])), Err(FrameError::NotAFrame(_))));
        let mut b = good.clone();
        b.push(0);
        assert!(matches!(c.push(&frame_of(&b)), Err(FrameError::NotAFrame(_))));
        // The same transfer id with another length is another bundle.
        let mut b = good.clone();
        b[7..11].copy_from_slice(&4000u32.to_be_bytes());
        assert!(matches!(c.push(&frame_of(&b)), Err(FrameError::MixedBundles { .. })));

        // None of that disturbed the transfer: the real frames still complete it.
        let mut done = false;
        for f in &frames[1..] {
            if c.push(f).unwrap() {
                done = true;
                break;
            }
        }
        assert!(done);
        assert_eq!(c.finish().unwrap(), bundle(5000));
    }

    #[test]
    fn a_repair_symbol_altered_on_the_way_is_caught_by_the_transfer_id() {
        let frames = encode(&bundle(3000), 100);
        let needed = bundle(3000).to_cbor().len().div_ceil(SYMBOL_SIZE as usize);
        let mut c = FrameCollector::new();
        // Only repair symbols, one of them with a flipped payload byte.
        let repair = &frames[needed..];
        let mut b = body_of(&repair[0]);
        let last = b.len() - 1;
        b[last] ^= 0x40;
        let mut result = c.push(&frame_of(&b));
        for f in &repair[1..] {
            if !matches!(result, Ok(false)) {
                break;
            }
            result = c.push(f);
        }
        assert!(matches!(result, Err(FrameError::Corrupt(_))), "{result:?}");
    }
}
