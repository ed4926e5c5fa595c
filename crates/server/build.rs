//! Rebuilds the binary when the web UI's build (`web/dist`, embedded by `http::web`) changes: rust-embed
//! tracks the files it embedded, but not files added to or removed from the folder.
fn main() {
    println!("cargo:rerun-if-changed=../../web/dist");
}
