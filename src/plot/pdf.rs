//! A vector PDF backend for plotters: what `pdflatex` includes as it is (`\includegraphics`),
//! at a physical size, with nothing rasterised.
//!
//! Text is drawn as the outlines of the compiled-in DejaVu Sans glyphs, each glyph once as a
//! form XObject placed where it appears: no font is embedded or referenced, so a figure looks
//! the same in every viewer and passes the publishers' "all fonts embedded" checks (it has
//! none). Glyphs are laid out as plotters lays them out for the PNG (same scale, advances,
//! kerning, anchors and rotations), so the layout `estimate_text_size` promised holds.
//!
//! The drawing is in plotters' pixels, y down; the page maps a pixel to `72 / dpi` points.
//! Streams are deflated.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

use ab_glyph::{Font, FontRef, GlyphId, OutlineCurve};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontTransform,
};

/// Why a PDF could not be made (the font failed to parse: it is compiled in, so never).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PdfError(String);

/// Draws a PDF document into the vector it borrows, written whole at each `present` (and when
/// dropped), as plotters' SVG backend writes its string.
pub struct PdfBackend<'a> {
    out: &'a mut Vec<u8>,
    size: (u32, u32),
    points_per_pixel: f64,
    font: FontRef<'static>,
    /// The page's content stream: drawing operators.
    content: String,
    /// Glyphs drawn so far, with their XObject number (in order of first use).
    glyphs: BTreeMap<GlyphId, usize>,
    /// Opacities used so far (in thousandths), with their ExtGState number.
    alphas: BTreeMap<u32, usize>,
    /// The content's length when `out` was last written (the content only grows): drop
    /// writes the document again only when something was drawn since.
    written: Option<usize>,
}

/// A number as PDF writes it: at most three decimals, no exponent.
fn num(v: f64) -> String {
    let r = (v * 1000.0).round() / 1000.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

impl<'a> PdfBackend<'a> {
    /// A page of `size` pixels at `dpi` pixels per inch, to be written into `out`.
    pub fn new(out: &'a mut Vec<u8>, size: (u32, u32), dpi: f64) -> Result<Self, PdfError> {
        let font = FontRef::try_from_slice(super::FONT_BYTES)
            .map_err(|e| PdfError(format!("the compiled-in font does not parse: {e}")))?;
        let points_per_pixel = 72.0 / dpi;
        // Pixels, y down: one transformation for the whole page.
        let content = format!(
            "{s} 0 0 {neg} 0 {h} cm 1 J 1 j\n",
            s = num(points_per_pixel),
            neg = num(-points_per_pixel),
            h = num(f64::from(size.1) * points_per_pixel),
        );
        Ok(Self {
            out,
            size,
            points_per_pixel,
            font,
            content,
            glyphs: BTreeMap::new(),
            alphas: BTreeMap::new(),
            written: None,
        })
    }

    /// Sets the fill (`fill`) or stroke colour and the opacity of what follows.
    fn color(&mut self, c: BackendColor, fill: bool) {
        let (r, g, b) = c.rgb;
        let _ = write!(
            self.content,
            "{} {} {} {} ",
            num(f64::from(r) / 255.0),
            num(f64::from(g) / 255.0),
            num(f64::from(b) / 255.0),
            if fill { "rg" } else { "RG" }
        );
        let milli = (c.alpha.clamp(0.0, 1.0) * 1000.0).round() as u32;
        let next = self.alphas.len();
        let n = *self.alphas.entry(milli).or_insert(next);
        let _ = write!(self.content, "/A{n} gs ");
    }

    /// Sets the colour (and line width, for a stroke) of a shape filled or stroked with
    /// `style`; false when the style is transparent and nothing is to be drawn.
    fn paint<S: BackendStyle>(&mut self, style: &S, fill: bool) -> bool {
        if style.color().alpha == 0.0 {
            return false;
        }
        if fill {
            self.color(style.color(), true);
        } else {
            self.stroke_style(style);
        }
        true
    }

    fn stroke_style<S: BackendStyle>(&mut self, style: &S) {
        self.color(style.color(), false);
        let _ = write!(self.content, "{} w ", style.stroke_width().max(1));
    }

    fn point(&mut self, (x, y): BackendCoord, op: &str) {
        let _ = write!(self.content, "{x} {y} {op} ");
    }

    /// A path through `points`, ended by `paint` (`S` strokes, `h f` closes and fills);
    /// nothing for no points.
    fn polyline(&mut self, points: impl IntoIterator<Item = BackendCoord>, paint: &str) {
        let mut first = true;
        for p in points {
            self.point(p, if first { "m" } else { "l" });
            first = false;
        }
        if !first {
            let _ = writeln!(self.content, "{paint}");
        }
    }

    /// The XObject number of glyph `id`, defined on first use.
    fn glyph(&mut self, id: GlyphId) -> usize {
        let next = self.glyphs.len();
        *self.glyphs.entry(id).or_insert(next)
    }

    /// The glyph's outline as a form XObject's content, in font units, y up.
    fn glyph_stream(&self, id: GlyphId) -> String {
        let mut s = String::new();
        let Some(outline) = self.font.outline(id) else {
            return s;
        };
        let mut at: Option<(f32, f32)> = None;
        let p = |x: f32, y: f32| format!("{} {}", num(f64::from(x)), num(f64::from(y)));
        for curve in &outline.curves {
            let (start, rest) = match *curve {
                OutlineCurve::Line(a, b) => (a, format!("{} l\n", p(b.x, b.y))),
                // A quadratic as the cubic it is.
                OutlineCurve::Quad(a, c, b) => {
                    let c1 = (a.x + 2.0 / 3.0 * (c.x - a.x), a.y + 2.0 / 3.0 * (c.y - a.y));
                    let c2 = (b.x + 2.0 / 3.0 * (c.x - b.x), b.y + 2.0 / 3.0 * (c.y - b.y));
                    (
                        a,
                        format!("{} {} {} c\n", p(c1.0, c1.1), p(c2.0, c2.1), p(b.x, b.y)),
                    )
                }
                OutlineCurve::Cubic(a, c1, c2, b) => (
                    a,
                    format!("{} {} {} c\n", p(c1.x, c1.y), p(c2.x, c2.y), p(b.x, b.y)),
                ),
            };
            if at != Some((start.x, start.y)) {
                if at.is_some() {
                    s.push_str("h\n");
                }
                let _ = writeln!(s, "{} m", p(start.x, start.y));
            }
            s.push_str(&rest);
            at = Some(match *curve {
                OutlineCurve::Line(_, b) | OutlineCurve::Quad(_, _, b) => (b.x, b.y),
                OutlineCurve::Cubic(_, _, _, b) => (b.x, b.y),
            });
        }
        s.push_str("h f\n");
        s
    }

    /// The whole document as drawn so far.
    fn document(&self) -> Vec<u8> {
        let mut objects: Vec<Vec<u8>> = Vec::new();
        // 1 catalog, 2 pages, 3 page, 4 content; then the ExtGStates and the glyphs.
        let first_alpha = 5;
        let first_glyph = first_alpha + self.alphas.len();
        let (w, h) = (
            f64::from(self.size.0) * self.points_per_pixel,
            f64::from(self.size.1) * self.points_per_pixel,
        );
        objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
        objects.push(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec());
        let mut resources = String::from("<< /ExtGState <<");
        for &n in self.alphas.values() {
            let _ = write!(resources, " /A{n} {} 0 R", first_alpha + n);
        }
        resources.push_str(" >> /XObject <<");
        for &n in self.glyphs.values() {
            let _ = write!(resources, " /G{n} {} 0 R", first_glyph + n);
        }
        resources.push_str(" >> >>");
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Resources {resources} /Contents 4 0 R >>",
                num(w),
                num(h)
            )
            .into_bytes(),
        );
        objects.push(stream("", self.content.as_bytes()));
        let mut alphas: Vec<(u32, usize)> = self.alphas.iter().map(|(&a, &n)| (a, n)).collect();
        alphas.sort_by_key(|&(_, n)| n);
        for (milli, _) in alphas {
            let a = num(f64::from(milli) / 1000.0);
            objects.push(format!("<< /Type /ExtGState /ca {a} /CA {a} >>").into_bytes());
        }
        let mut glyphs: Vec<(GlyphId, usize)> = self.glyphs.iter().map(|(&g, &n)| (g, n)).collect();
        glyphs.sort_by_key(|&(_, n)| n);
        for (id, _) in glyphs {
            let bbox = self.font.outline(id).map_or([0.0; 4], |o| {
                [
                    o.bounds.min.x,
                    o.bounds.min.y,
                    o.bounds.max.x,
                    o.bounds.max.y,
                ]
            });
            let dict = format!(
                "/Type /XObject /Subtype /Form /BBox [{} {} {} {}]",
                num(f64::from(bbox[0]).floor()),
                num(f64::from(bbox[1]).floor()),
                num(f64::from(bbox[2]).ceil()),
                num(f64::from(bbox[3]).ceil())
            );
            objects.push(stream(&dict, self.glyph_stream(id).as_bytes()));
        }
        let mut out: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::with_capacity(objects.len());
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            let _ = writeln!(out, "{} 0 obj", i + 1);
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
        for o in offsets {
            let _ = writeln!(out, "{o:010} 00000 n ");
        }
        let _ = write!(
            out,
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        );
        out
    }
}

/// A stream object with `dict` entries, its data deflated.
fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = z.write_all(data);
    let packed = z.finish().unwrap_or_default();
    let mut out = format!(
        "<< {dict} /Length {} /Filter /FlateDecode >>\nstream\n",
        packed.len()
    )
    .into_bytes();
    out.extend_from_slice(&packed);
    out.extend_from_slice(b"\nendstream");
    out
}

impl PdfBackend<'_> {
    /// Writes the document into `out`, unless nothing was drawn since it last was.
    fn write_out(&mut self) {
        if self.written != Some(self.content.len()) {
            *self.out = self.document();
            self.written = Some(self.content.len());
        }
    }
}

impl Drop for PdfBackend<'_> {
    fn drop(&mut self) {
        self.write_out();
    }
}

impl DrawingBackend for PdfBackend<'_> {
    type ErrorType = PdfError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<PdfError>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<PdfError>> {
        self.write_out();
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        (x, y): BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<PdfError>> {
        if color.alpha == 0.0 {
            return Ok(());
        }
        self.color(color, true);
        let _ = writeln!(self.content, "{x} {y} 1 1 re f");
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<PdfError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.stroke_style(style);
        self.point(from, "m");
        self.point(to, "l");
        self.content.push_str("S\n");
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        (x0, y0): BackendCoord,
        (x1, y1): BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<PdfError>> {
        if !self.paint(style, fill) {
            return Ok(());
        }
        let _ = writeln!(
            self.content,
            "{x0} {y0} {} {} re {}",
            x1 - x0,
            y1 - y0,
            if fill { "f" } else { "S" }
        );
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<PdfError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.stroke_style(style);
        self.polyline(path, "S");
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        (cx, cy): BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<PdfError>> {
        if !self.paint(style, fill) {
            return Ok(());
        }
        // Four cubic arcs; k places their control points.
        let (x, y, r) = (f64::from(cx), f64::from(cy), f64::from(radius));
        let k = 0.552_284_75 * r;
        let arcs: [[(f64, f64); 3]; 4] = [
            [(x + r, y + k), (x + k, y + r), (x, y + r)],
            [(x - k, y + r), (x - r, y + k), (x - r, y)],
            [(x - r, y - k), (x - k, y - r), (x, y - r)],
            [(x + k, y - r), (x + r, y - k), (x + r, y)],
        ];
        let _ = write!(self.content, "{} {} m", num(x + r), num(y));
        for arc in arcs {
            for (px, py) in arc {
                let _ = write!(self.content, " {} {}", num(px), num(py));
            }
            self.content.push_str(" c");
        }
        let _ = writeln!(self.content, " {}", if fill { "f" } else { "S" });
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<PdfError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.color(style.color(), true);
        self.polyline(vert, "h f");
        Ok(())
    }

    /// Lays `text` out as plotters does for the PNG (the box of `layout_box`, moved by the
    /// anchor, rotated about `pos`; the baseline half the size below the box's top), and
    /// places each glyph's outline there.
    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<PdfError>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (f64::from(max_x - min_x), f64::from(max_y - min_y));
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Right => -width,
            HPos::Center => -(width / 2.0).trunc(),
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0.0,
            VPos::Center => -(height / 2.0).trunc(),
            VPos::Bottom => -height,
        };
        // Rotation about `pos`, as FontTransform::transform turns (x, y).
        let (a, b, c, d) = match style.transform() {
            FontTransform::None => (1.0, 0.0, 0.0, 1.0),
            FontTransform::Rotate90 => (0.0, 1.0, -1.0, 0.0),
            FontTransform::Rotate180 => (-1.0, 0.0, 0.0, -1.0),
            FontTransform::Rotate270 => (0.0, -1.0, 1.0, 0.0),
        };
        let size = style.size();
        // ab_glyph's pixel scale: `size` is the font's height (ascent − descent).
        let scale = size / f64::from(self.font.height_unscaled());
        self.color(color, true);
        let _ = writeln!(
            self.content,
            "q {} {} {} {} {} {} cm",
            num(a),
            num(b),
            num(c),
            num(d),
            pos.0,
            pos.1
        );
        let mut x = dx - f64::from(min_x);
        let baseline = dy - f64::from(min_y) + size / 2.0;
        let mut prev: Option<GlyphId> = None;
        for ch in text.chars() {
            let id = self.font.glyph_id(ch);
            if let Some(p) = prev {
                x += f64::from(self.font.kern_unscaled(p, id)) * scale;
            }
            prev = Some(id);
            if self.font.outline(id).is_some() {
                let n = self.glyph(id);
                // Font units, y up, onto pixels, y down.
                let _ = writeln!(
                    self.content,
                    "q {} 0 0 {} {} {} cm /G{n} Do Q",
                    num(scale),
                    num(-scale),
                    num(x),
                    num(baseline)
                );
            }
            x += f64::from(self.font.h_advance_unscaled(id)) * scale;
        }
        self.content.push_str("Q\n");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;

    fn inflate(data: &[u8]) -> String {
        let mut out = String::new();
        let mut z = flate2::read::ZlibDecoder::new(data);
        std::io::Read::read_to_string(&mut z, &mut out).unwrap();
        out
    }

    /// The streams of a document, inflated, in object order.
    fn streams(pdf: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = pdf;
        while let Some(i) = find(rest, b">>\nstream\n") {
            let body = &rest[i + 10..];
            let end = find(body, b"\nendstream").unwrap();
            out.push(inflate(&body[..end]));
            rest = &body[end..];
        }
        out
    }

    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn the_cross_reference_table_points_at_every_object() {
        let mut pdf = Vec::new();
        let mut b = PdfBackend::new(&mut pdf, (600, 400), 300.0).unwrap();
        b.draw_line((0, 0), (10, 10), &BLACK).unwrap();
        b.draw_rect((1, 1), (5, 5), &RED.mix(0.5), true).unwrap();
        drop(b);
        assert!(pdf.starts_with(b"%PDF-1.4"));
        let text = String::from_utf8_lossy(&pdf);
        let startxref: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[startxref..].starts_with(b"xref\n"));
        // Offsets count bytes: read the table from the bytes (the binary comment in the
        // header is not UTF-8).
        let table = String::from_utf8_lossy(&pdf[startxref..]).into_owned();
        let entries: Vec<usize> = table
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .map(|l| l[..10].parse().unwrap())
            .collect();
        // Catalog, pages, page, content, one opacity of 1 and one of 0.5: six objects.
        assert_eq!(entries.len(), 6);
        for (i, off) in entries.iter().enumerate() {
            assert!(
                pdf[*off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "object {} not at {off}",
                i + 1
            );
        }
        // 600 × 400 pixels at 300 dpi: 144 × 96 points.
        assert!(text.contains("/MediaBox [0 0 144 96]"), "{text}");
        assert!(text.contains("/ca 0.5"), "{text}");
    }

    #[test]
    fn text_is_placed_glyph_by_glyph_where_the_bitmap_would_put_it() {
        super::super::register_font();
        let mut pdf = Vec::new();
        let mut b = PdfBackend::new(&mut pdf, (400, 200), 300.0).unwrap();
        let style = TextStyle::from((super::super::FONT, 40.0)).pos(
            plotters::style::text_anchor::Pos::new(HPos::Right, VPos::Top),
        );
        b.draw_text("λ=0.1", &style, (300, 50)).unwrap();
        b.present().unwrap();
        drop(b);
        let s = streams(&pdf);
        let content = &s[0];
        // Five characters, four distinct glyphs with outlines ('.' and '0', '1', 'λ', '=').
        let placed = content.matches(" Do Q").count();
        assert_eq!(placed, 5, "{content}");
        // Right-anchored at x = 300: the text ends there.
        let ((x0, _), (x1, _)) = style.layout_box("λ=0.1").unwrap();
        let scale = 40.0
            / f64::from(
                FontRef::try_from_slice(super::super::FONT_BYTES)
                    .unwrap()
                    .height_unscaled(),
            );
        let first_x: f64 = content
            .lines()
            .find(|l| l.ends_with("/G0 Do Q"))
            .unwrap()
            .split_whitespace()
            .nth(5)
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (first_x - (-(f64::from(x1 - x0)))).abs() < 1.0,
            "first glyph at {first_x}, text {} wide, scale {scale}",
            x1 - x0
        );
        // The glyph XObjects are outlines: moves, curves, a fill.
        let glyph = &s[1];
        assert!(glyph.contains(" m\n") && glyph.contains(" c\n") && glyph.ends_with("h f\n"));
    }
}
