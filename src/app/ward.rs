//! Creating a ward: `qcdc init`, `qcdc demo` and the TUI's first-run screen all come
//! here, so a ward is made the same way whichever front end asks.

use super::exit::{ExitCode, Failure};
use crate::data;
use crate::domain::audit::Actor;
use crate::domain::step::StepSet;
use crate::domain::text;
use crate::domain::ward::Ward;
use crate::i18n::Lang;
use crate::service::Service;
use crate::service::local::LocalService;
use crate::store::Store;
use std::path::Path;

/// A new, empty ward with the default template. Never touches an existing ward: a
/// database that already holds one, or a folder with other files, is refused.
pub fn create_ward(
    db: &Path,
    name: &str,
    steps: StepSet,
    who: Actor,
    lang: Lang,
) -> Result<LocalService, Failure> {
    let name = text::clean(name);
    if name.is_empty() {
        return Err(Failure::new(
            ExitCode::Data,
            lang.t("Tên phường không được để trống.", "The ward name is empty."),
        ));
    }
    let ward = Ward {
        name,
        steps,
        current_period: None,
        term: None,
    };
    let store = Store::create(db, &ward, &data::default_template())
        .map_err(|e| Failure::from_store(e, lang))?;
    Ok(LocalService::new(store, who).with_lang(lang))
}

/// The demo ward (its groups, branches and a year of entries) in a new database.
pub fn create_demo(db: &Path, who: Actor, lang: Lang) -> Result<LocalService, Failure> {
    let template = data::default_template();
    let demo = data::demo_ward(&template);
    let ward = Ward {
        name: demo.name.clone(),
        steps: demo.steps,
        current_period: demo.current_period,
        term: None,
    };
    let store = Store::create(db, &ward, &template).map_err(|e| Failure::from_store(e, lang))?;
    let svc = LocalService::new(store, who).with_lang(lang);
    svc.load(&demo, false)
        .map_err(|e| Failure::from_service(&e, lang))?;
    Ok(svc)
}
