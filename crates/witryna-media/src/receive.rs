//! Receiving an upload from a `multipart/form-data` request body, as the API and the
//! editor's plain `<input type=file>` form send it: the file goes to a [`Spool`] piece by
//! piece as it arrives, the few text fields beside it into memory, each with a bound.

use std::collections::HashMap;

use bytes::Bytes;
use futures_util::Stream;

use crate::check::{Limits, Refusal};
use crate::ingest::Spool;

/// The form field that carries the file.
pub const FILE_FIELD: &str = "file";
/// The longest text field accepted, in bytes.
pub const MAX_TEXT_FIELD: u64 = 4096;
/// What a body may carry beyond the file (boundaries, headers, text fields).
const FORM_OVERHEAD: u64 = 1 << 20;

/// A received upload: the file, complete, and the text fields asked for.
#[derive(Debug)]
pub struct Received {
    /// The file's bytes, deleted when this is dropped.
    pub file: tempfile::TempPath,
    /// The name the client gave the file (empty when none).
    pub file_name: String,
    /// The text fields, by name.
    pub fields: HashMap<String, String>,
}

impl Received {
    /// A text field, empty when absent.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// Why an upload was not received.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// The file is refused already while arriving (over the size limit).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The body is not the multipart form it claims to be, or stopped before its end.
    #[error("the request body is not a complete multipart/form-data form: {0}")]
    Malformed(String),
    /// A field that cannot be used: no file, a text field too long or not UTF-8.
    #[error("field {field}: {message}")]
    Field {
        /// The form field.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// The boundary of a `multipart/form-data` content type; `None` for other types.
pub fn boundary(content_type: &str) -> Option<String> {
    multer::parse_boundary(content_type).ok()
}

/// Reads a multipart body: the [`FILE_FIELD`] into a spool (refused once over
/// `limits.max_bytes`), and the `text_fields` named (others are refused).
pub async fn receive<S, E>(
    body: S,
    boundary: String,
    limits: &Limits,
    text_fields: &[&str],
) -> Result<Received, ReceiveError>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let mut allowed: Vec<String> = text_fields.iter().map(|f| (*f).to_owned()).collect();
    allowed.push(FILE_FIELD.to_owned());
    let mut sizes = multer::SizeLimit::new().whole_stream(limits.max_bytes.saturating_add(FORM_OVERHEAD));
    for f in text_fields {
        sizes = sizes.for_field(*f, MAX_TEXT_FIELD);
    }
    let constraints = multer::Constraints::new().allowed_fields(allowed).size_limit(sizes);
    let mut form = multer::Multipart::with_constraints(body, boundary, constraints);
    let mut file = None;
    let mut fields = HashMap::new();
    loop {
        let next = form.next_field().await.map_err(|e| classify(e, limits))?;
        let Some(mut field) = next else { break };
        let name = field.name().unwrap_or_default().to_owned();
        if name == FILE_FIELD {
            if file.is_some() {
                return Err(ReceiveError::Field { field: name, message: "send one file per request".into() });
            }
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let mut spool = Spool::new(limits)?;
            while let Some(chunk) = field.chunk().await.map_err(|e| classify(e, limits))? {
                spool.write(&chunk)?;
            }
            file = Some((spool.finish()?, file_name));
        } else {
            let text = field.text().await.map_err(|e| match e {
                multer::Error::FieldSizeExceeded { .. } => ReceiveError::Field {
                    field: name.clone(),
                    message: format!("must be at most {MAX_TEXT_FIELD} bytes"),
                },
                other => classify(other, limits),
            })?;
            fields.insert(name, text);
        }
    }
    let Some((file, file_name)) = file else {
        return Err(ReceiveError::Field { field: FILE_FIELD.into(), message: "choose a file to send".into() });
    };
    Ok(Received { file, file_name, fields })
}

fn classify(e: multer::Error, limits: &Limits) -> ReceiveError {
    match e {
        multer::Error::StreamSizeExceeded { .. } => ReceiveError::Refused(Refusal::TooLarge {
            size: limits.max_bytes.saturating_add(1),
            limit: limits.max_bytes,
        }),
        multer::Error::UnknownField { field_name } => ReceiveError::Field {
            field: field_name.unwrap_or_default(),
            message: "this form takes no such field".into(),
        },
        other => ReceiveError::Malformed(other.to_string()),
    }
}
