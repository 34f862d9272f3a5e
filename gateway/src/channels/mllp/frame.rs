//! MLLP framing (HL7 v2.5.1 Appendix C, Minimal Lower Layer Protocol release 2): each message travels as
//! `<VT> message <FS><CR>` (0x0B … 0x1C 0x0D), as a `tokio_util` codec for `Framed` TCP streams.
//!
//! Written here because the one crate for it, hl7-mllp-codec 0.4.0, merges two frames that arrive in one
//! read into one (../shared/docs/crates.md §3). The frame is bytes, not text: ISO-2022-JP never holds
//! 0x0B or 0x1C, and decoding is the parser's business (MSH-18).

use tokio_util::bytes::{Buf, BufMut, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

/// Start of a frame (VT).
pub const START: u8 = 0x0B;
/// End of a frame (FS), followed by CR.
pub const END: u8 = 0x1C;
const CR: u8 = 0x0D;

/// Why a stream cannot be read as MLLP frames; the connection is out of step and should be closed.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("a message is longer than the limit of {limit} bytes")]
    TooLarge { limit: usize },
    #[error("byte 0x{byte:02X} outside a frame (an MLLP frame starts with 0x0B)")]
    OutsideFrame { byte: u8 },
    #[error("a frame ends with 0x1C not followed by CR (0x0D) but by 0x{byte:02X}")]
    BadEnd { byte: u8 },
    #[error("the connection closed in the middle of a frame ({bytes} bytes received)")]
    Truncated { bytes: usize },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Splits a byte stream into the messages of its MLLP frames, each at most `max_len` bytes.
#[derive(Debug, Clone)]
pub struct MllpCodec {
    max_len: usize,
}

impl MllpCodec {
    pub fn new(max_len: usize) -> Self {
        MllpCodec { max_len }
    }
}

impl Decoder for MllpCodec {
    type Item = BytesMut;
    type Error = FrameError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<BytesMut>, FrameError> {
        // Line breaks and spaces between frames are tolerated (some senders add CR LF); anything else
        // before a start byte means the stream is not MLLP.
        let skip = src
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n' | b' '))
            .count();
        src.advance(skip);
        let Some(&first) = src.first() else {
            return Ok(None);
        };
        if first != START {
            return Err(FrameError::OutsideFrame { byte: first });
        }
        let Some(end) = src[1..].iter().position(|&b| b == END).map(|i| i + 1) else {
            if src.len() - 1 > self.max_len {
                return Err(FrameError::TooLarge {
                    limit: self.max_len,
                });
            }
            return Ok(None);
        };
        if end - 1 > self.max_len {
            return Err(FrameError::TooLarge {
                limit: self.max_len,
            });
        }
        match src.get(end + 1) {
            None => return Ok(None),
            Some(&CR) => {}
            Some(&byte) => return Err(FrameError::BadEnd { byte }),
        }
        let mut frame = src.split_to(end + 2);
        frame.advance(1);
        frame.truncate(frame.len() - 2);
        Ok(Some(frame))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<BytesMut>, FrameError> {
        match self.decode(src)? {
            Some(frame) => Ok(Some(frame)),
            None if src.iter().all(|b| matches!(b, b'\r' | b'\n' | b' ')) => {
                src.clear();
                Ok(None)
            }
            None => Err(FrameError::Truncated { bytes: src.len() }),
        }
    }
}

impl Encoder<&[u8]> for MllpCodec {
    type Error = FrameError;

    fn encode(&mut self, message: &[u8], dst: &mut BytesMut) -> Result<(), FrameError> {
        if message.len() > self.max_len {
            return Err(FrameError::TooLarge {
                limit: self.max_len,
            });
        }
        dst.reserve(message.len() + 3);
        dst.put_u8(START);
        dst.put_slice(message);
        dst.put_slice(&[END, CR]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(messages: &[&[u8]]) -> BytesMut {
        let mut codec = MllpCodec::new(1 << 20);
        let mut out = BytesMut::new();
        for m in messages {
            codec.encode(m, &mut out).unwrap();
        }
        out
    }

    fn all_frames(codec: &mut MllpCodec, buf: &mut BytesMut) -> Vec<Vec<u8>> {
        let mut frames = Vec::new();
        while let Some(frame) = codec.decode(buf).unwrap() {
            frames.push(frame.to_vec());
        }
        frames
    }

    #[test]
    fn two_frames_in_one_read_are_two_messages() {
        let mut buf = framed(&[b"MSH|^~\\&|A\rPID|1", b"MSH|^~\\&|B"]);
        let frames = all_frames(&mut MllpCodec::new(1 << 20), &mut buf);
        assert_eq!(
            frames,
            [b"MSH|^~\\&|A\rPID|1".to_vec(), b"MSH|^~\\&|B".to_vec()]
        );
        assert!(buf.is_empty());
    }

    #[test]
    fn a_frame_split_across_reads_waits_for_its_end() {
        let whole = framed(&[b"MSH|^~\\&|\x1b$B;3ED\x1b(B"]);
        let mut codec = MllpCodec::new(1 << 20);
        let mut buf = BytesMut::new();
        // Byte by byte, the end marker's CR last: nothing until the frame is complete.
        for (i, b) in whole.iter().enumerate() {
            buf.put_u8(*b);
            let got = codec.decode(&mut buf).unwrap();
            if i + 1 < whole.len() {
                assert!(
                    got.is_none(),
                    "a frame after {} of {} bytes",
                    i + 1,
                    whole.len()
                );
            } else {
                assert_eq!(got.unwrap().as_ref(), b"MSH|^~\\&|\x1b$B;3ED\x1b(B");
            }
        }
    }

    #[test]
    fn line_breaks_between_frames_are_skipped_other_bytes_are_not() {
        let mut buf = BytesMut::from(&b"\r\n"[..]);
        buf.extend_from_slice(&framed(&[b"MSH|1"]));
        buf.extend_from_slice(b"\r\n");
        let mut codec = MllpCodec::new(1 << 20);
        assert_eq!(all_frames(&mut codec, &mut buf), [b"MSH|1".to_vec()]);
        assert!(codec.decode_eof(&mut buf).unwrap().is_none());
        let mut garbage = BytesMut::from(&b"GET / HTTP/1.1\r\n"[..]);
        assert!(matches!(
            codec.decode(&mut garbage),
            Err(FrameError::OutsideFrame { byte: b'G' })
        ));
    }

    #[test]
    fn limits_truncation_and_bad_ends_are_errors() {
        let mut codec = MllpCodec::new(8);
        let mut long = BytesMut::from(&[START][..]);
        long.extend_from_slice(&[b'x'; 9]);
        assert!(matches!(
            codec.decode(&mut long),
            Err(FrameError::TooLarge { limit: 8 })
        ));
        let mut out = BytesMut::new();
        assert!(codec.encode(&[b'x'; 9][..], &mut out).is_err());
        let mut cut = BytesMut::from(&b"\x0bMSH|1"[..]);
        assert!(matches!(
            codec.decode_eof(&mut cut),
            Err(FrameError::Truncated { bytes: 6 })
        ));
        let mut bad = BytesMut::from(&b"\x0bMSH|1\x1cX"[..]);
        assert!(matches!(
            codec.decode(&mut bad),
            Err(FrameError::BadEnd { byte: b'X' })
        ));
    }

    #[test]
    fn a_frame_of_exactly_the_limit_passes() {
        let mut codec = MllpCodec::new(8);
        let mut buf = framed(&[b"12345678"]);
        assert_eq!(
            codec.decode(&mut buf).unwrap().unwrap().as_ref(),
            b"12345678"
        );
    }
}
