-- é: a non-ASCII comment, to check positions count characters
CREATE TABLE public.t_second (id integer PRIMARY KEY,
    first_id integer REFERENCES public.t_first);
INSERT INTO public.t_first VALUES (1), (2);
