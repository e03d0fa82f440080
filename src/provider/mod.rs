//! The gwtrigger provider: schemas and data source reads on top of the generic plugin server.
