//! The demo's files, drawn by the project itself (sources beside them in `demo/`, rendered by
//! `scripts/render-demo-media.sh`), stored through the same [`ingest`] as an upload.

use async_trait::async_trait;
use witryna_core::content::Media;
use witryna_core::demo::{DemoFile, DemoFiles};
use witryna_core::{Cms, Id};

use crate::check::Limits;
use crate::ingest::{ingest, spool_bytes, Upload};

/// The demo's files for [`witryna_core::demo::seed_with_files`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DemoMedia;

fn bytes_of(file_name: &str) -> Option<&'static [u8]> {
    Some(match file_name {
        "eu-logo-strip.png" => include_bytes!("../demo/eu-logo-strip.png"),
        "spotkanie-kis.jpg" => include_bytes!("../demo/spotkanie-kis.jpg"),
        "wniosek-o-zasilek.pdf" => include_bytes!("../demo/wniosek-o-zasilek.pdf"),
        "informacja-pjm.webm" => include_bytes!("../demo/informacja-pjm.webm"),
        _ => return None,
    })
}

#[async_trait]
impl DemoFiles for DemoMedia {
    async fn add(&self, cms: &Cms, file: &DemoFile) -> Result<Id, String> {
        let bytes = bytes_of(&file.file_name).ok_or("no such file in witryna-media's demo folder")?;
        let limits = Limits::default();
        let path = spool_bytes(bytes, &limits).map_err(|e| e.to_string())?;
        let upload = Upload { path: &path, file_name: &file.file_name, title: &file.title, alt: &file.alt };
        let kept = ingest(cms, upload, &limits).await.map_err(|e| e.to_string())?;
        let meta = kept.record.meta;
        if !file.transcript.is_empty() {
            // An upload has no transcript field: the editor writes it on the item after.
            let media = Media { transcript: file.transcript.clone(), ..kept.media };
            cms.update(meta.id, meta.version, media).await.map_err(|e| e.to_string())?;
        }
        Ok(meta.id)
    }
}
