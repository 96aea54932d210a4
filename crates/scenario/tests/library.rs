//! The compiled-in demo library is exactly tests/scenarios/demos/, and every
//! file in it is a valid demo that prints back to the same scenario.

use kafkascope_scenario::library::{demo_source, demos, DEMO_FILES};
use kafkascope_scenario::parse;

#[test]
fn the_library_is_the_demo_directory() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/demos");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("demo dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".scn"))
        .collect();
    on_disk.sort();
    let listed: Vec<String> = DEMO_FILES.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(listed, on_disk, "update DEMO_FILES in src/library.rs");
    for (f, source) in DEMO_FILES {
        let disk = std::fs::read_to_string(dir.join(f)).expect("readable");
        assert_eq!(*source, disk, "{f}");
    }
    assert_eq!(demo_source("01-acks.scn"), Some(DEMO_FILES[0].1));
    assert_eq!(demo_source("nope.scn"), None);
}

#[test]
fn every_demo_parses_and_prints_back() {
    let all = demos().unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(all.len(), DEMO_FILES.len());
    for (d, (file, source)) in all.iter().zip(DEMO_FILES) {
        assert_eq!(&d.file, file);
        assert!(!d.title.en.is_empty() && !d.title.zh.is_empty());
        assert!(!d.seeds.is_empty());
        let s = parse(file, source).expect("parses");
        let again = parse(file, &s.to_string()).expect("printed form parses");
        assert_eq!(s, again, "{file}: printing changed the scenario");
    }
}
