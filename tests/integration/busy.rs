//! One process per database (sled): a second one is told the database is busy.

use crate::common::*;

#[test]
fn a_database_open_in_another_process_gives_exit_75_and_points_to_qcdc_serve() {
    let w = small_ward();
    let store = qcdc::store::Store::open(&w.db).expect("open the store in this process");

    let r = w.fails(&["group", "list"], 75);
    assert!(r.stderr.contains("qcdc serve"), "{}", r.stderr);
    assert!(
        r.stderr.contains("đang được một chương trình qcdc khác mở"),
        "{}",
        r.stderr
    );
    let en = w.fails(
        &[
            "--lang",
            "en",
            "mark",
            "Tổ dân phố 1",
            "CK-02",
            "biet",
            "done",
        ],
        75,
    );
    assert!(en.stderr.contains("qcdc serve"), "{}", en.stderr);
    assert!(
        en.stderr.contains("open in another qcdc process"),
        "{}",
        en.stderr
    );
    // init on a busy path is busy too, not "already initialised".
    w.fails(&["init", "--ward", "X"], 75);

    drop(store);
    assert_eq!(
        w.groups().len(),
        SMALL_GROUPS.len(),
        "usable again once closed"
    );
    let row = w.item("Tổ dân phố 1", "CK-02");
    assert_eq!(row["steps"]["biet"], "todo", "the busy mark wrote nothing");
}
