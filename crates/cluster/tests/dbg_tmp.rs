use kafkascope_cluster::chaos::*;
#[test]
fn dump() {
    let seed: u64 = std::env::var("SEED").unwrap().parse().unwrap();
    let s = Schedule::generate(seed, Truncation::LeaderEpoch);
    println!("{:?}", run_schedule(&s));
    let s = shrink_while(&s, |o| o.failure.is_none() && !o.clean());
    println!("{:?}", run_schedule(&s));
    std::fs::write("/tmp/chaos.scn", s.scenario()).unwrap();
}
