//! Gates for CI: a sweep whose gates hold exits 0, one with a failed gate exits 3 with every
//! run still finished and stored, and `gates.json` records both.

use crate::support::{recsweep, run_ids, summary};

#[test]
fn held_gates_exit_0_and_a_failed_gate_exits_3_with_every_run_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let pass = tmp.path().join("pass");
    let o = recsweep(&[
        "--run",
        "tests/fixtures/tiny.yaml",
        "--out",
        pass.to_str().unwrap(),
        "--gate",
        "baseline: auc > 0",
        "--gate",
        "any: coverage@10 >= baseline",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("gates: 2 held, 0 failed"), "{stdout}");
    let gates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pass.join("gates.json")).unwrap()).unwrap();
    assert_eq!(gates.as_array().unwrap().len(), 2);
    assert!(gates.as_array().unwrap().iter().all(|g| g["held"] == true));

    let fail = tmp.path().join("fail");
    let o = recsweep(&[
        "--run",
        "tests/fixtures/tiny.yaml",
        "--out",
        fail.to_str().unwrap(),
        "--gate",
        "baseline: ndcg@10 >= 0.99",
        "--gate",
        "baseline: auc > 0",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("gates: 1 held, 1 failed"), "{stdout}");
    assert!(
        stdout.contains("FAILED  baseline: ndcg@10 >= 0.99"),
        "{stdout}"
    );
    assert!(stdout.contains("baseline λ=0: "), "{stdout}");
    for run in run_ids(&fail) {
        assert_eq!(summary(&fail, &run).status.as_str(), "finished", "{run}");
    }
    assert!(fail.join("plots/tradeoff.png").is_file());
    let gates: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fail.join("gates.json")).unwrap()).unwrap();
    assert_eq!(gates[0]["held"], false);
    assert_eq!(gates[0]["gate"], "baseline: ndcg@10 >= 0.99");
    assert_eq!(gates[0]["points"][0]["threshold"], 0.99);
}
