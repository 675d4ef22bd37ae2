//! Helpers shared by the command's test files.

/// An export without the audit entries `witryna import` wrote about itself: what an import
/// through the command adds to the next export.
pub(crate) fn imports_left_out(export: &[u8]) -> Vec<u8> {
    let text = String::from_utf8(export.to_vec()).unwrap();
    text.lines()
        .filter(|l| !(l.starts_with(r#"{"audit":"#) && l.contains(r#""action":"imported""#)))
        .flat_map(|l| [l, "\n"])
        .collect::<String>()
        .into_bytes()
}
