//! The arithmetic of the page's SVG charts, kept apart from Yew so it is
//! tested natively: the y-axis top, the SVG path of a line with gaps, and
//! the figures the text alternative states.

/// Width and height of a chart's plot area, in SVG user units.
pub const W: f64 = 300.0;
pub const H: f64 = 100.0;

/// The y-axis top: the smallest 1, 2 or 5 × 10^k at or above `max`, so the
/// axis reads in round numbers (and never 0, which would divide by zero).
pub fn nice_max(max: i64) -> i64 {
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            let top = step.saturating_mul(m);
            if top >= max || top == i64::MAX {
                return top;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// The largest value of several lines (0 if none has one).
pub fn max_of<'a>(lines: impl IntoIterator<Item = &'a [Option<i64>]>) -> i64 {
    lines
        .into_iter()
        .flat_map(|l| l.iter().flatten())
        .copied()
        .max()
        .unwrap_or(0)
        .max(0)
}

/// The SVG path (`M x y L x y ...`) of `values` over `slots` evenly spaced
/// sample positions, scaled to `top`; a `None` breaks the line (a new `M`
/// after it). The newest value sits at the right edge, so a short series
/// grows in from the right as a scrolling chart does.
pub fn path(values: &[Option<i64>], slots: usize, top: i64) -> String {
    let slots = slots.max(values.len()).max(2);
    let dx = W / (slots - 1) as f64;
    let offset = slots - values.len();
    let top = top.max(1) as f64;
    let mut d = String::new();
    let mut pen_down = false;
    for (i, v) in values.iter().enumerate() {
        let Some(v) = v else {
            pen_down = false;
            continue;
        };
        let x = (offset + i) as f64 * dx;
        let y = H - (*v as f64 / top).clamp(0.0, 1.0) * H;
        if !d.is_empty() {
            d.push(' ');
        }
        d.push(if pen_down { 'L' } else { 'M' });
        d.push_str(&format!("{x:.1} {y:.1}"));
        pen_down = true;
    }
    d
}

/// Unsigned samples as a line.
pub fn line(values: &[u64]) -> Vec<Option<i64>> {
    values
        .iter()
        .map(|&v| Some(i64::try_from(v).unwrap_or(i64::MAX)))
        .collect()
}

/// The newest value of a line, if it has one there.
pub fn last(values: &[Option<i64>]) -> Option<i64> {
    values.last().copied().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_top_is_a_round_number_at_or_above_the_max() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(1), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(120), 200);
        assert_eq!(nice_max(200), 200);
        assert_eq!(nice_max(501), 1000);
        assert_eq!(nice_max(i64::MAX), i64::MAX);
    }

    #[test]
    fn a_path_is_scaled_right_aligned_and_broken_at_gaps() {
        // 3 values in 5 slots: x = 150, 225, 300; top 10.
        let d = path(&[Some(0), Some(5), Some(10)], 5, 10);
        assert_eq!(d, "M150.0 100.0 L225.0 50.0 L300.0 0.0");
        let d = path(&[Some(1), None, Some(1), Some(1)], 4, 2);
        assert_eq!(d, "M0.0 50.0 M200.0 50.0 L300.0 50.0");
        assert_eq!(path(&[None, None], 4, 2), "");
        // Above the top is clamped to the top, never drawn outside.
        assert_eq!(path(&[Some(50)], 2, 10), "M300.0 0.0");
    }

    #[test]
    fn max_and_last_skip_gaps() {
        let a = [Some(3), None];
        let b = [None, Some(9)];
        assert_eq!(max_of([&a[..], &b[..]]), 9);
        assert_eq!(max_of(std::iter::empty::<&[Option<i64>]>()), 0);
        assert_eq!(last(&a), None);
        assert_eq!(last(&b), Some(9));
        assert_eq!(line(&[1, 2]), [Some(1), Some(2)]);
    }
}
