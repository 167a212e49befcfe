-- é: creates a table, then fails: the table must not survive.
CREATE TABLE public.t_half (id integer);
INSERT INTO public.t_half VALUES (1);
SELECT * FROM public.no_such_table;
