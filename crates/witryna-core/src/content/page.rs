use serde::{Deserialize, Serialize};

use super::{join_text, limits, Content};
use crate::validate::{ValidationErrors, Validator};

/// A static page: the RODO information clause („Klauzula informacyjna”), the cookie
/// policy, easy-to-read text about the centre, contact details...
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Heading.
    pub title: String,
    /// Optional summary.
    #[serde(default)]
    pub summary: String,
    /// The page, CommonMark.
    pub body: String,
}

impl Content for Page {
    const KIND: &'static str = "page";

    fn title(&self) -> &str {
        &self.title
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.text("title", &self.title, limits::TITLE);
        v.max_len("summary", &self.summary, limits::LEAD);
        v.markdown("body", &self.body, limits::BODY, true);
        v.finish()
    }

    fn search_text(&self) -> String {
        join_text([self.title.as_str(), self.summary.as_str(), self.body.as_str()])
    }
}
