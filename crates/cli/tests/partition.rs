//! `kafkascope partition`: Kafka's default partitioner for keyed records.

mod common;
use common::run;

#[test]
fn hash_is_kafkas_murmur2() {
    // Kafka's UtilsTest.testMurmur2 vectors.
    for (key, hash) in [
        ("21", "-973932308"),
        ("foobar", "-790332482"),
        ("abc", "479470107"),
    ] {
        let (code, out, _) = run(&["partition", "--key", key, "--hash"]);
        assert_eq!((code, out.trim()), (0, hash));
    }
}

#[test]
fn partition_is_to_positive_murmur2_mod_n() {
    // (-790332482 & 0x7fffffff) % 50 = 16; 479470107 % 7 = 4.
    assert_eq!(
        run(&["partition", "--key", "foobar", "--partitions", "50"]).1,
        "16\n"
    );
    assert_eq!(
        run(&["partition", "--key", "abc", "--partitions", "7"]).1,
        "4\n"
    );
    assert_eq!(
        run(&["partition", "--key", "abc", "--partitions", "1"]).1,
        "0\n"
    );
}

#[test]
fn bad_arguments_exit_2() {
    let (code, _, err) = run(&["partition", "--key", "k", "--partitions", "0"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(&["partition", "--key", "k"]);
    assert_eq!(code, 2);
    assert_eq!(err, "kafkascope: --partitions N is required (or --hash)\n");
}
