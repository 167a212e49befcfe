CREATE TABLE public.t_never (id integer);
