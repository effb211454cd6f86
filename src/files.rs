//! Files in and out: downloads (JSON, SVG, PNG), reading an imported file,
//! and the clipboard.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Why a file operation failed, in words.
pub type FileError = String;

fn document() -> Result<web_sys::Document, FileError> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "the page has no document".to_string())
}

fn words(error: JsValue) -> FileError {
    error
        .as_string()
        .or_else(|| {
            js_sys::JSON::stringify(&error)
                .ok()
                .and_then(|s| s.as_string())
        })
        .unwrap_or_else(|| "the browser refused".to_string())
}

/// Offers `blob` as a download called `name`.
fn download_blob(blob: &web_sys::Blob, name: &str) -> Result<(), FileError> {
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(words)?;
    let link: web_sys::HtmlAnchorElement = document()?
        .create_element("a")
        .map_err(words)?
        .unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The click has started the download; the URL can go.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Offers `text` as a download called `name` of the given MIME type.
pub fn download_text(text: &str, name: &str, mime: &str) -> Result<(), FileError> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(words)?;
    download_blob(&blob, name)
}

/// Renders an SVG document to a PNG at `scale` × its size and offers it as
/// a download.
pub async fn download_png(
    svg: &str,
    width: f64,
    height: f64,
    scale: f64,
    name: &str,
) -> Result<(), FileError> {
    let parts = js_sys::Array::of1(&JsValue::from_str(svg));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(words)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(words)?;

    let image = web_sys::HtmlImageElement::new().map_err(words)?;
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        image.set_onload(Some(&resolve));
        image.set_onerror(Some(&reject));
    });
    image.set_src(&url);
    JsFuture::from(loaded)
        .await
        .map_err(|_| "the diagram could not be drawn as an image".to_string())?;
    let _ = web_sys::Url::revoke_object_url(&url);

    let canvas: web_sys::HtmlCanvasElement = document()?
        .create_element("canvas")
        .map_err(words)?
        .unchecked_into();
    canvas.set_width((width * scale).ceil() as u32);
    canvas.set_height((height * scale).ceil() as u32);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(words)?
        .ok_or("this browser cannot draw on a canvas")?
        .unchecked_into();
    context.scale(scale, scale).map_err(words)?;
    context
        .draw_image_with_html_image_element(&image, 0.0, 0.0)
        .map_err(words)?;

    let (sender, receiver) = futures_channel();
    let callback = Closure::once(move |blob: Option<web_sys::Blob>| sender(blob));
    canvas
        .to_blob(callback.as_ref().unchecked_ref())
        .map_err(words)?;
    let png = receiver
        .await
        .ok_or("the image could not be encoded as PNG")?;
    download_blob(&png, name)
}

/// A one-shot channel from a callback to an async caller, built on a
/// promise (no extra crate).
fn futures_channel() -> (
    impl FnOnce(Option<web_sys::Blob>),
    impl std::future::Future<Output = Option<web_sys::Blob>>,
) {
    let mut resolve_slot: Option<js_sys::Function> = None;
    let promise = js_sys::Promise::new(&mut |resolve, _| resolve_slot = Some(resolve));
    let send = move |blob: Option<web_sys::Blob>| {
        if let Some(resolve) = resolve_slot {
            let value = blob.map_or(JsValue::NULL, JsValue::from);
            let _ = resolve.call1(&JsValue::NULL, &value);
        }
    };
    let receive = async move {
        JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.dyn_into::<web_sys::Blob>().ok())
    };
    (send, receive)
}

/// The text of the first file chosen in a file input.
pub async fn read_chosen_file(
    input: &web_sys::HtmlInputElement,
) -> Result<(String, String), FileError> {
    let file = input
        .files()
        .and_then(|files| files.get(0))
        .ok_or("no file was chosen")?;
    if file.size() > f64::from(8u32 * 1024 * 1024) {
        return Err(format!(
            "{} is too large to be a design (over 8 MB)",
            file.name()
        ));
    }
    let text = JsFuture::from(file.text())
        .await
        .map_err(|_| format!("{} could not be read", file.name()))?;
    Ok((file.name(), text.as_string().unwrap_or_default()))
}

/// Puts `text` on the system clipboard.
pub async fn copy_to_clipboard(text: &str) -> Result<(), FileError> {
    let clipboard = web_sys::window()
        .ok_or("no window")?
        .navigator()
        .clipboard();
    JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| "the browser did not allow copying to the clipboard".to_string())
}
