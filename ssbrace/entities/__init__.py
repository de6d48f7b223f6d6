"""Entity resolution, the first reconcile stage: every claim's subject and object linked to one entity."""
