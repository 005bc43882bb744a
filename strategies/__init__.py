"""How a question gets answered: the Strategy protocol and its implementations. Plain
values in and out; never reads settings or touches the database."""
